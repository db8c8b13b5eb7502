package dev.bpfwatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.GaugeMetricFamily;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Scrapes beyond {@link MetricsHandler#CONCURRENT_SCRAPES} wait their turn instead of all
 * collecting and writing at once (each holds its read and buffers: fifty at once grew the
 * heap by tens of MB); every one is still answered, and /-/healthy is not held up.
 */
class ScrapeConcurrencyTest {
    private static final int CLIENTS = 16;

    private final AtomicInteger collecting = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();

    @Test
    void scrapesBeyondTheLimitWaitAndAllAreServed() throws Exception {
        CollectorRegistry registry = new CollectorRegistry(true);
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                int now = collecting.incrementAndGet();
                most.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    collecting.decrementAndGet();
                }
                return List.of(new GaugeMetricFamily("slow_collect", "a collector that takes 100 ms", 1));
            }
        }.register(registry);
        HttpClient client = HttpClient.newHttpClient();
        try (WebServer s = WebServer.start(new InetSocketAddress("127.0.0.1", 0), "/metrics", registry,
                () -> "landing")) {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<HttpResponse<String>>> scrapes = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    scrapes.add(pool.submit(() -> client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + s.port() + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString())));
                }
                Thread.sleep(150); // the scrapes are queued behind the first four now
                HttpResponse<String> healthy = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + s.port() + "/-/healthy")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, healthy.statusCode(), "health check answered while scrapes wait");
                for (Future<HttpResponse<String>> f : scrapes) {
                    HttpResponse<String> r = f.get();
                    assertEquals(200, r.statusCode());
                    assertTrue(r.body().contains("slow_collect 1.0"), r.body());
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertTrue(most.get() <= MetricsHandler.CONCURRENT_SCRAPES,
                most.get() + " scrapes collected at once, limit " + MetricsHandler.CONCURRENT_SCRAPES);
        assertTrue(most.get() >= 2, "scrapes did overlap (" + most.get() + "), so the limit was exercised");
    }
}
