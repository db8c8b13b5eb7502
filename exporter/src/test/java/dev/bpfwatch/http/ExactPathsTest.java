package dev.bpfwatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpfwatch.testing.Curl;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint answers at its exact path only; the JDK server's prefix matching must not show through. */
class ExactPathsTest {
    static WebServer server;

    @BeforeAll
    static void start() throws Exception {
        CollectorRegistry registry = new CollectorRegistry(true);
        Counter.build("exact_paths_test", "a sample to find").register(registry).inc();
        server = WebServer.start(new InetSocketAddress("127.0.0.1", 0), "/metrics", registry, () -> "landing",
                () -> null, WebSecurity.none());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Curl get(String path, String... options) {
        return Curl.get("http://127.0.0.1:" + server.port() + path, options);
    }

    @Test
    void theEndpointsAnswerAtTheirPaths() {
        Curl metrics = get("/metrics");
        assertEquals(200, metrics.status(), Curl.describe(metrics));
        assertEquals("exact_paths_test_total 1.0", metrics.body().lines()
                .filter(l -> l.startsWith("exact_paths_test_total")).findFirst().orElse("missing"));
        assertEquals("OK\n", get("/-/healthy").body());
        assertEquals(200, get("/-/reload", "-X", "POST").status());
        assertEquals("landing", get("/").body());
    }

    @Test
    void longerPathsAreNotFound() {
        for (String path : new String[] {"/metricsX", "/metrics/", "/metrics/x", "/-/healthyX", "/-/healthy/",
                "/-/reloadX", "/-/", "/-"}) {
            Curl c = get(path, "-X", path.startsWith("/-/reload") ? "POST" : "GET");
            assertEquals(404, c.status(), path + ": " + Curl.describe(c));
            assertEquals("not found; metrics are at /metrics\n", c.body(), path);
        }
    }

    @Test
    void telemetryPathCannotShadowABuiltInEndpoint() {
        for (String path : new String[] {"/", "/-/healthy", "/-/reload"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WebServer.start(
                    new InetSocketAddress("127.0.0.1", 0), path, new CollectorRegistry(true), () -> "landing"));
            assertEquals("telemetry path " + path + " is a built-in endpoint", e.getMessage());
        }
    }
}
