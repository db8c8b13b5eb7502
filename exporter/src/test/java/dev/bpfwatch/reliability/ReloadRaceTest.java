package dev.bpfwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reloads beside scrapes: no scrape, landing page or self-metric may touch
 * the kernel objects a reload is closing. Every scrape must carry every
 * series, and the agent must log no read failure while reloads run.
 */
class ReloadRaceTest {
    private static final long SECONDS = 12;
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-race-" + ProcessHandle.current().pid());
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    /** WARNING and SEVERE records of the agent's loggers: read failures, scrape errors. */
    private static final class Failures extends Handler {
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                seen.add(r.getLoggerName() + ": " + r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void scrapesDuringReloadsNeverTouchClosedObjects() throws Exception {
        Logger agentLogs = Logger.getLogger("dev.bpfwatch");
        Failures failures = new Failures();
        agentLogs.addHandler(failures);
        AtomicInteger reloads = new AtomicInteger();
        AtomicInteger scrapes = new AtomicInteger();
        AtomicInteger pages = new AtomicInteger();
        ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(null, List.of("kfree_skb_drops")).withPinPath(pins))) {
            Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 3, 8); // a NO_SOCKET drop: the series exists
            String base = "http://127.0.0.1:" + agent.port();
            // Prefixes: the text format may end a label set with ",}".
            List<String> expected = List.of(
                    "bpfwatch_kfree_skb_drops_total{reason=\"NO_SOCKET\"",
                    "bpfwatch_enabled_configs{name=\"kfree_skb_drops\"",
                    "bpfwatch_ebpf_program_info{config=\"kfree_skb_drops\"",
                    "bpfwatch_ebpf_map_max_entries{config=\"kfree_skb_drops\",map=\"kfree_skb_drops\"");
            AtomicBoolean running = new AtomicBoolean(true);
            Runnable scraper = () -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/metrics")));
                        scrapes.incrementAndGet();
                        for (String s : expected) {
                            if (r.statusCode() != 200 || !r.body().contains(s)) {
                                bad.add("scrape " + r.statusCode() + " without " + s);
                            }
                        }
                    } catch (Exception e) {
                        bad.add("scrape: " + e);
                    }
                }
            };
            Runnable landing = () -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/")));
                        pages.incrementAndGet();
                        if (r.statusCode() != 200 || !r.body().contains("<td>kfree_skb_drops</td><td>kfree_skb_drops</td>")) {
                            bad.add("landing page " + r.statusCode() + " without the map row");
                        }
                    } catch (Exception e) {
                        bad.add("landing page: " + e);
                    }
                }
            };
            List<Thread> readers = List.of(new Thread(scraper), new Thread(scraper), new Thread(landing));
            readers.forEach(Thread::start);
            long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            try {
                while (System.nanoTime() < end) {
                    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/-/reload"))
                            .POST(HttpRequest.BodyPublishers.noBody()));
                    assertEquals(200, r.statusCode(), r.body());
                    reloads.incrementAndGet();
                }
            } finally {
                running.set(false);
                for (Thread t : readers) {
                    t.join();
                }
            }
        } finally {
            agentLogs.removeHandler(failures);
        }
        System.out.printf("reload race: %d reloads, %d scrapes, %d landing pages, %d bad responses, %d warnings%n",
                reloads.get(), scrapes.get(), pages.get(), bad.size(), failures.seen.size());
        assertTrue(reloads.get() >= 5, "too few reloads to race: " + reloads.get());
        assertTrue(scrapes.get() >= 20 && pages.get() >= 10, "too few reads to race: " + scrapes + ", " + pages);
        assertEquals(List.of(), bad.stream().distinct().limit(10).toList(), bad.size() + " bad responses");
        assertEquals(List.of(), failures.seen.stream().distinct().limit(10).toList(),
                failures.seen.size() + " warnings while reloading");
    }

    @Test
    void closingWhileScrapesRunTouchesNoClosedObject() throws Exception {
        Logger agentLogs = Logger.getLogger("dev.bpfwatch");
        Failures failures = new Failures();
        agentLogs.addHandler(failures);
        AtomicInteger collections = new AtomicInteger();
        try {
            for (int round = 0; round < 3; round++) {
                Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                        .withConfigs(null, List.of("kfree_skb_drops")).withPinPath(pins));
                AtomicBoolean running = new AtomicBoolean(true);
                // Straight at the registry, as the metrics handler does, so the race is not paced by HTTP.
                Runnable scraper = () -> {
                    while (running.get()) {
                        java.util.Collections.list(agent.registry().metricFamilySamples());
                        collections.incrementAndGet();
                    }
                };
                List<Thread> readers = List.of(new Thread(scraper), new Thread(scraper));
                readers.forEach(Thread::start);
                Thread.sleep(500);
                agent.close();
                running.set(false);
                for (Thread t : readers) {
                    t.join();
                }
            }
        } finally {
            agentLogs.removeHandler(failures);
        }
        System.out.printf("close race: %d collections, %d warnings%n", collections.get(), failures.seen.size());
        assertEquals(List.of(), failures.seen.stream().distinct().limit(10).toList(),
                failures.seen.size() + " warnings while closing");
    }
}
