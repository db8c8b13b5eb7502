package dev.bpfwatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.CollectorRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The handler pool grows with the requests in flight, not with the requests served: a pool
 * that made a thread per request up to its limit of 512 kept 533 threads (57 MB of stacks)
 * after fifty scrapers had looped for a minute.
 */
class HandlerThreadsTest {
    private static final int CLIENTS = 20;
    private static final int REQUESTS_EACH = 25;

    @Test
    void threadsFollowConcurrencyNotRequestCount() throws Exception {
        try (WebServer s = WebServer.start(new InetSocketAddress("127.0.0.1", 0), "/metrics",
                new CollectorRegistry(true), () -> "landing")) {
            CyclicBarrier start = new CyclicBarrier(CLIENTS);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<Integer>> served = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    served.add(clients.submit(() -> {
                        start.await();
                        int ok = 0;
                        for (int r = 0; r < REQUESTS_EACH; r++) {
                            ok += healthy(s.port()) ? 1 : 0;
                        }
                        return ok;
                    }));
                }
                int total = 0;
                for (Future<Integer> f : served) {
                    total += f.get();
                }
                assertEquals(CLIENTS * REQUESTS_EACH, total, "every request answered");
            } finally {
                clients.shutdownNow();
            }
            long handlers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("bpfwatch-http")).count();
            // In flight at once: at most CLIENTS; a thread briefly between two requests may miss one.
            assertTrue(handlers <= 2L * CLIENTS, handlers + " handler threads for " + CLIENTS
                    + " concurrent clients (" + CLIENTS * REQUESTS_EACH + " requests)");
            assertTrue(handlers >= 1, "requests were handled by the pool");
        }
    }

    private static boolean healthy(int port) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /-/healthy HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return response.startsWith("HTTP/1.1 200") && response.endsWith("OK\n");
        }
    }
}
