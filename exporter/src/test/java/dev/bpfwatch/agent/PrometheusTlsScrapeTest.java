package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.TestCerts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prometheus itself scrapes the agent over HTTPS with basic auth: up{job="bpfwatch"} becomes 1. */
class PrometheusTlsScrapeTest {
    @TempDir
    Path dir;

    @Test
    void prometheusScrapesThroughTlsAndBasicAuth() throws Exception {
        TestCerts certs = TestCerts.create(dir);
        Path web = TestCerts.write(dir.resolve("web.yml"), """
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                basic_auth_users:
                  prometheus: %s
                """.formatted(WebSecurityTest.bcrypt("scrape me")));
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withWebConfig(web), List.of())) {
            int promPort = freePort();
            Path config = TestCerts.write(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: bpfwatch
                        scheme: https
                        tls_config:
                          ca_file: %s
                        basic_auth:
                          username: prometheus
                          password: scrape me
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(certs.ca, agent.port()));
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String last = awaitUp(promPort, 60);
                assertTrue(last.contains("\"1\"]"), "up{job=\"bpfwatch\"} never became 1; last answer: " + last
                        + "\n" + java.nio.file.Files.readString(dir.resolve("prometheus.log")));
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /** Polls the query API until up is 1 or the time is over; returns the last answer. */
    private static String awaitUp(int port, int seconds) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI query = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode("up{job=\"bpfwatch\"}", StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = client.send(HttpRequest.newBuilder(query).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (last.contains("\"1\"]")) {
                    return last;
                }
            } catch (IOException e) {
                last = e.toString(); // Prometheus not listening yet
            }
            Thread.sleep(500);
        }
        return last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
