package dev.bpfwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Scrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 scrapers for 30 s against a 100,000-entry map: no failed scrape, heap
 * flat after warm-up, and the kernel read far fewer times than scraped
 * because scrapes that arrive together share one collection.
 */
class ConcurrentScrapeLoadTest {
    private static final int ENTRIES = 100_000;
    private static final int SCRAPERS = 50;
    private static final Duration RUN = Duration.ofSeconds(30);
    /** Heap may grow this much after warm-up: a leak per scrape would pass it within 30 s of load. */
    private static final long HEAP_GROWTH_BOUND = 64L << 20;

    @TempDir
    Path dir;
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-load-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    @Test
    void fiftyScrapersShareCollectionsWithoutErrorsOrHeapGrowth() throws Exception {
        ConfigDir.bigCounter(dir);
        // The agent runs in its own JVM, as in production: its heap is measured apart from the
        // test's 50 HTTP clients, whose buffers would otherwise swamp the figure.
        try (AgentProcess agent = AgentProcess.start("--config.dir=" + dir, "--bpf.pin-path=" + pins,
                "--metrics.max-series=" + 2 * ENTRIES)) {
            try (BpfMap map = BpfMap.openPinned(pins.resolve("big/big_counter_total").toString())) {
                for (long k = 0; k < ENTRIES; k++) {
                    map.update(u64(k), u64(k + 1), BpfMap.BPF_ANY);
                }
            }
            String first = Scrape.metrics(agent.port());
            assertEquals(ENTRIES, first.lines().filter(l -> l.startsWith("bpfwatch_big_counter_total{")).count());

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            URI uri = URI.create("http://127.0.0.1:" + agent.port() + "/metrics");
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            long warmupEnd = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            long end = System.nanoTime() + RUN.toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(SCRAPERS);
            List<Future<?>> scrapers = new ArrayList<>();
            for (int i = 0; i < SCRAPERS; i++) {
                scrapers.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200 && r.body().contains("bpfwatch_big_counter_total{key=\"99999\",} 100000.0")) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                }));
            }
            while (System.nanoTime() < warmupEnd) {
                Thread.sleep(100);
            }
            long heapAfterWarmup = liveHeap(agent.pid());
            for (Future<?> f : scrapers) {
                f.get();
            }
            pool.shutdown();
            long heapAtEnd = liveHeap(agent.pid());

            String self = Scrape.metrics(agent.port());
            double collections = Scrape.value(self, "bpfwatch_config_collections_total", "config=\"big\"");
            System.out.printf("load: %d scrapes ok, %d failed, %.0f kernel collections, heap %d -> %d MiB%n",
                    ok.get(), failed.get(), collections, heapAfterWarmup >> 20, heapAtEnd >> 20);
            assertEquals(0, failed.get(), "every scrape answered, complete");
            assertTrue(ok.get() >= SCRAPERS, "each scraper finished at least one scrape: " + ok.get());
            assertTrue(collections < ok.get(), "scrapes shared collections: " + collections + " reads for " + ok.get());
            assertTrue(heapAtEnd - heapAfterWarmup < HEAP_GROWTH_BOUND,
                    "heap grew " + ((heapAtEnd - heapAfterWarmup) >> 20) + " MiB after warm-up");
        }
    }

    /** Live heap of a JVM: jcmd's class histogram runs a full GC first and totals what survived. */
    private static long liveHeap(long pid) throws Exception {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no heap total from jcmd:\n" + out);
        }
        return Long.parseLong(m.group(1));
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }
}
