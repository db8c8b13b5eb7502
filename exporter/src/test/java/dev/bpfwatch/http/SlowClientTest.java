package dev.bpfwatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Curl;
import dev.bpfwatch.testing.SlowClients;
import dev.bpfwatch.testing.SlowClients.Kind;
import dev.bpfwatch.testing.TestCerts;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slowloris against the endpoint: 200 connections that never finish their
 * headers, never say anything, or stop after 3 bytes of a TLS ClientHello.
 * Scrapes must be served all the while, and the server must close every one
 * of them once the header timeout (README, "Securing the endpoint") is up.
 */
class SlowClientTest {
    /** The header-read and TLS-handshake timeout, as documented. */
    static final long TIMEOUT_MS = 10_000;
    /** The JDK server checks its timeouts on a 1 s timer: a close comes up to a tick late, plus scheduling. */
    static final long LATE_MS = 2_000;
    static final int CONNECTIONS = 200;

    @TempDir
    static Path dir;
    static CollectorRegistry registry;

    @BeforeAll
    static void setUp() {
        registry = new CollectorRegistry(true);
        Counter.build("slow_client_test", "a sample to find").register(registry).inc();
    }

    @Test
    void trickledAndIdleConnectionsNeitherStopScrapesNorStayOpen() throws Exception {
        List<Kind> kinds = new ArrayList<>();
        kinds.addAll(Collections.nCopies(CONNECTIONS / 2, Kind.TRICKLED_HEADERS));
        kinds.addAll(Collections.nCopies(CONNECTIONS / 2, Kind.SILENT));
        try (WebServer s = WebServer.start(new InetSocketAddress("127.0.0.1", 0), "/metrics", registry,
                () -> "landing")) {
            holdAndScrape(s, kinds, "http://127.0.0.1:" + s.port() + "/metrics");
        }
    }

    @Test
    void partialTlsHandshakesNeitherStopScrapesNorStayOpen() throws Exception {
        TestCerts certs = TestCerts.create(dir);
        Path web = TestCerts.write(dir.resolve("web.yml"),
                "tls_server_config: {cert_file: server.pem, key_file: server.key}\n");
        try (WebServer s = WebServer.start(new InetSocketAddress("127.0.0.1", 0), "/metrics", registry,
                () -> "landing", () -> null, WebSecurity.load(web))) {
            holdAndScrape(s, Collections.nCopies(CONNECTIONS, Kind.PARTIAL_TLS_HELLO),
                    "https://127.0.0.1:" + s.port() + "/metrics", "--cacert", certs.ca.toString());
        }
    }

    private static void holdAndScrape(WebServer s, List<Kind> kinds, String url, String... tls) throws Exception {
        // Scrape only while every slow connection is still open: that is the window under attack.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS - 3_000);
        try (SlowClients slow = SlowClients.open(s.port(), kinds)) {
            List<String> options = new ArrayList<>(List.of(tls));
            options.addAll(List.of("--max-time", "2"));
            int attempted = 0;
            int served = 0;
            int whileAllOpen = 0;
            while (System.nanoTime() < until) {
                Curl c = Curl.get(url, options.toArray(String[]::new));
                attempted++;
                if (c.status() == 200 && c.body().contains("slow_client_test_total 1.0")) {
                    served++;
                }
                if (slow.closedCount() == 0) {
                    whileAllOpen++;
                }
                Thread.sleep(200);
            }
            int closed = slow.awaitAllClosed(TIMEOUT_MS + LATE_MS);
            List<Long> times = slow.closeTimes();
            long first = times.stream().mapToLong(Long::longValue).min().orElse(-1);
            long last = times.stream().mapToLong(Long::longValue).max().orElse(-1);
            String figures = String.format("%s: %d/%d scrapes served beside %d slow connections (%d while all"
                    + " were open); %d closed by the server, %d..%d ms after connect", new TreeSet<>(kinds), served,
                    attempted,
                    slow.count(), whileAllOpen, closed, first, last);
            System.out.println(figures);
            assertEquals(attempted, served, figures);
            assertTrue(whileAllOpen >= 5, whileAllOpen + " scrapes while all were open: " + figures);
            assertEquals(CONNECTIONS, closed, figures);
            assertTrue(first >= TIMEOUT_MS - 500, "a slow client gets the whole timeout: " + figures);
            assertTrue(last <= TIMEOUT_MS + LATE_MS, figures);
        }
    }
}
