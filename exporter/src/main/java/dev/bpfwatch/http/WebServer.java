package dev.bpfwatch.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoint: metrics at the telemetry path (text or
 * OpenMetrics by content negotiation, from the Prometheus client), a landing
 * page at /, and /-/healthy.
 */
public final class WebServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private WebServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param reload re-reads the configs; returns null on success, else why
     *               the previous configs keep running
     */
    public static WebServer start(InetSocketAddress listen, String telemetryPath, CollectorRegistry registry,
                                  Supplier<String> landingPage, Supplier<String> reload) throws IOException {
        HttpServer server = HttpServer.create(listen, 64);
        server.createContext(telemetryPath, new HTTPServer.HTTPMetricHandler(registry));
        server.createContext("/-/healthy", exchange -> respond(exchange, 200, "text/plain", "OK\n"));
        server.createContext("/-/reload", exchange -> {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                respond(exchange, 405, "text/plain", "reload takes POST\n");
                return;
            }
            String error = reload.get();
            if (error == null) {
                respond(exchange, 200, "text/plain", "OK\n");
            } else {
                respond(exchange, 500, "text/plain", "reload failed, previous configs keep running: " + error + "\n");
            }
        });
        server.createContext("/", exchange -> {
            if (!exchange.getRequestURI().getPath().equals("/")) {
                respond(exchange, 404, "text/plain", "not found; metrics are at " + telemetryPath + "\n");
            } else {
                respond(exchange, 200, "text/html; charset=utf-8", landingPage.get());
            }
        });
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "bpfwatch-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new WebServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
