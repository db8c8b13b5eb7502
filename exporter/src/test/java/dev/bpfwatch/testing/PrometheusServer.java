package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real Prometheus server on 127.0.0.1 and a free port, with its own
 * TSDB directory; closing kills it. Its HTTP API answers are parsed as YAML
 * (JSON is YAML to snakeyaml), so tests need no JSON library.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts prometheus with {@code config}, keeping data and log under {@code dir}; waits until it is ready. */
    public static PrometheusServer start(Path config, Path dir) {
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        try {
            Process p = new ProcessBuilder("prometheus",
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--storage.tsdb.retention.time=1h",
                    "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PrometheusServer server = new PrometheusServer(p, port, log);
            try {
                server.awaitReady();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("prometheus not runnable (apt-get install prometheus): " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited " + process.exitValue() + ": " + log());
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // connection refused while it starts
            }
            TestNetns.sleep(200);
        }
        throw new IllegalStateException("prometheus not ready in 60 s: " + log());
    }

    /** An instant query; the parsed {@code data.result} (a list of {metric, value}) or an exception with Prometheus's error. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> query(String promql) {
        Map<String, Object> data = (Map<String, Object>) api("/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)).get("data");
        return (List<Map<String, Object>>) data.get("result");
    }

    /** GET /api/v1/...: the parsed body; throws when status is not success. */
    public Map<String, Object> api(String pathAndQuery) {
        HttpResponse<String> r = get(pathAndQuery);
        Map<String, Object> body = RepoFiles.yaml(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.get("status"))) {
            throw new PromQueryException(pathAndQuery + ": " + r.statusCode() + " " + r.body());
        }
        return body;
    }

    private HttpResponse<String> get(String pathAndQuery) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: a clean TSDB shutdown
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prometheus refused a query (parse error, bad request). */
    public static final class PromQueryException extends RuntimeException {
        PromQueryException(String message) {
            super(message);
        }
    }
}
