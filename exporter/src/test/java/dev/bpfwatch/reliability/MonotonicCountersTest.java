package dev.bpfwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.agent.ConfigModule;
import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Scrape;
import dev.bpfwatch.testing.ThreadAffinity;
import io.prometheus.client.Collector;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every exported _total series only goes up, while the keys of a real LRU
 * map churn under it: 200 keys written into a 64-entry map (the kernel
 * evicts; the test also deletes), a series limit of 10 (so most keys fold
 * into "other"), 1,000 scrapes, 20 reloads and 20 restarts of the agent on
 * the same pins. The series together also never show less than the map
 * holds at that moment.
 */
class MonotonicCountersTest {
    private static final int MAX_SERIES = 10;
    private static final int KEYS = 200;
    private static final int LIVES = 20;
    private static final int SCRAPES_PER_LIFE = 50;
    private static final String YAML = """
            metrics:
              counters:
                - name: churn_total
                  help: churning keys
                  labels:
                    - name: key
                      size: 8
                      decoders:
                        - name: uint
            """;

    @TempDir
    Path dir;
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-monotonic-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    @Test
    void noTotalSeriesEverGoesDown() {
        ConfigDir.with(dir, "churn", "churn_map", YAML);
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true).withPinPath(pins).withMaxSeries(MAX_SERIES);
        Random random = new Random(12);
        Map<String, Double> last = new HashMap<>();
        List<String> decreases = new ArrayList<>();
        List<String> shortfalls = new ArrayList<>();
        Set<Long> written = new HashSet<>();
        int evicted = 0;
        int scrapes = 0;
        int reloads = 0;
        int maxSeriesSeen = 0;
        for (int life = 0; life < LIVES; life++) {
            Agent agent = Agent.start(options, List.of());
            try {
                for (int s = 0; s < SCRAPES_PER_LIFE; s++) {
                    if (s == SCRAPES_PER_LIFE / 2) {
                        assertNull(agent.reload(), "reload");
                        reloads++;
                    }
                    BpfMap map = ((ConfigModule) agent.modules().get(0)).object().map("churn_total").orElseThrow();
                    evicted += churn(map, random, written);
                    Map<String, Double> now = totals(agent);
                    double exported = now.entrySet().stream().filter(e -> e.getKey().startsWith("bpfwatch_churn_total{"))
                            .mapToDouble(Map.Entry::getValue).sum();
                    double inMap = map.entries().stream().mapToLong(e -> u64(e.value())).sum();
                    if (exported < inMap) {
                        shortfalls.add("scrape " + (scrapes + 1) + ": series sum " + exported + " < map sum " + inMap);
                    }
                    maxSeriesSeen = Math.max(maxSeriesSeen,
                            (int) now.keySet().stream().filter(n -> n.startsWith("bpfwatch_churn_total{")).count());
                    scrapes++;
                    for (Map.Entry<String, Double> e : now.entrySet()) {
                        Double before = last.put(e.getKey(), e.getValue());
                        if (before != null && e.getValue() < before) {
                            decreases.add("scrape " + scrapes + " (life " + life + "): " + e.getKey() + " "
                                    + before + " -> " + e.getValue());
                        }
                    }
                }
            } finally {
                agent.close();
            }
        }
        System.out.println("MonotonicCountersTest: " + scrapes + " scrapes, " + reloads + " reloads, " + LIVES
                + " agent starts, " + evicted + " keys evicted by the kernel, " + last.size() + " series seen, "
                + decreases.size() + " decreases");
        decreases.stream().limit(30).forEach(System.out::println);
        assertEquals(LIVES * SCRAPES_PER_LIFE, scrapes);
        assertEquals(LIVES, reloads);
        assertTrue(evicted > 0, "the kernel evicted no key: the LRU map never churned");
        assertTrue(last.containsKey("bpfwatch_churn_total{key=other}"), "nothing was folded: " + last.keySet());
        assertTrue(maxSeriesSeen <= MAX_SERIES, "series limit exceeded: " + maxSeriesSeen);
        assertEquals(List.of(), shortfalls.subList(0, Math.min(10, shortfalls.size())),
                shortfalls.size() + " scrapes whose series lost part of what the map holds");
        assertEquals(List.of(), decreases.subList(0, Math.min(10, decreases.size())),
                decreases.size() + " decreases");
    }

    /**
     * The same with real restarts: `bpfwatch run` in its own JVM, stopped
     * with SIGTERM and started again on the same pins, the map churned from
     * this JVM through its pin, scraped over HTTP.
     */
    @Test
    void noSeriesGoesDownAcrossProcessRestarts() throws Exception {
        ConfigDir.with(dir, "churn", "churn_map", YAML);
        Random random = new Random(34);
        Map<String, Double> last = new HashMap<>();
        List<String> decreases = new ArrayList<>();
        Set<Long> written = new HashSet<>();
        int evicted = 0;
        int restarts = 3;
        for (int run = 0; run <= restarts; run++) {
            try (AgentProcess agent = AgentProcess.start("--config.dir=" + dir, "--bpf.pin-path=" + pins,
                    "--metrics.max-series=" + MAX_SERIES)) {
                try (BpfMap map = BpfMap.openPinned(pins.resolve("churn/churn_total").toString())) {
                    for (int s = 0; s < 10; s++) {
                        evicted += churn(map, random, written);
                        String text = Scrape.metrics(agent.port());
                        for (String line : text.lines().filter(l -> l.startsWith("bpfwatch_churn_total{")).toList()) {
                            String series = line.substring(0, line.lastIndexOf(' '));
                            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                            Double before = last.put(series, value);
                            if (before != null && value < before) {
                                decreases.add("run " + run + ": " + series + " " + before + " -> " + value);
                            }
                        }
                    }
                }
                assertEquals(0, agent.stop("TERM"), agent.output());
            }
        }
        System.out.println("MonotonicCountersTest, processes: " + (restarts + 1) + " runs, " + evicted
                + " keys evicted, " + last.size() + " series, " + decreases.size() + " decreases");
        assertTrue(evicted > 0, "the kernel evicted no key");
        assertTrue(last.keySet().stream().anyMatch(k -> k.contains("other")), "nothing folded: " + last.keySet());
        assertEquals(List.of(), decreases);
    }

    /**
     * The exposition fast path (a map of 1,000+ series, never folded, each
     * key its own series): 2,000 keys churn through a 1,500-entry LRU map, so
     * the kernel evicts keys and they come back with small counts. Over 200
     * scrapes of /metrics no series ever goes down, and each series is at
     * least what its key holds in the map.
     */
    @Test
    void fastPathSeriesOfAnLruMapNeverGoDown() {
        ConfigDir.with(dir, "lru", "churn_lru", """
                metrics:
                  counters:
                    - name: churn_lru_total
                      help: churning keys of a large LRU map
                      labels:
                        - name: key
                          size: 8
                          decoders:
                            - name: uint
                """);
        Random random = new Random(56);
        Map<String, Double> last = new HashMap<>();
        List<String> decreases = new ArrayList<>();
        List<String> shortfalls = new ArrayList<>();
        Set<Long> written = new HashSet<>();
        int evicted = 0;
        int smallestRead = Integer.MAX_VALUE;
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true), List.of())) {
            BpfMap map = ((ConfigModule) agent.modules().get(0)).object().map("churn_lru_total").orElseThrow();
            for (int k = 0; k < 1_200; k++) {
                map.update(u64(k), u64(1 + random.nextInt(100)), BpfMap.BPF_ANY); // past the fast-path threshold
                written.add((long) k);
            }
            for (int scrape = 1; scrape <= 200; scrape++) {
                for (int i = 0; i < 60; i++) {
                    long key = random.nextInt(2_000);
                    byte[] k = u64(key);
                    var before = map.lookup(k);
                    if (before.isEmpty() && written.remove(key)) {
                        evicted++;
                    }
                    map.update(k, u64(before.map(MonotonicCountersTest::u64).orElse(0L) + 1 + random.nextInt(50)),
                            BpfMap.BPF_ANY);
                    written.add(key);
                }
                Map<String, Long> inMap = new HashMap<>();
                for (BpfMap.Entry e : map.entries()) {
                    inMap.put("bpfwatch_churn_lru_total{key=\"" + u64(e.key()) + "\"}", u64(e.value()));
                }
                smallestRead = Math.min(smallestRead, inMap.size());
                String text = Scrape.metrics(agent.port());
                for (String line : text.lines().filter(l -> l.startsWith("bpfwatch_churn_lru_total{")).toList()) {
                    String series = line.substring(0, line.lastIndexOf(' ')).replace(",}", "}");
                    double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    Double before = last.put(series, value);
                    if (before != null && value < before) {
                        decreases.add("scrape " + scrape + ": " + series + " " + before + " -> " + value);
                    }
                    Long held = inMap.get(series);
                    if (held != null && value < held) {
                        shortfalls.add("scrape " + scrape + ": " + series + " " + value + " < " + held + " in the map");
                    }
                }
            }
        }
        System.out.println("MonotonicCountersTest, fast path: 200 scrapes, " + evicted + " keys evicted, "
                + last.size() + " series seen, at least " + smallestRead + " keys per read, " + decreases.size()
                + " decreases");
        decreases.stream().limit(10).forEach(System.out::println);
        assertTrue(smallestRead >= 1_000, "the map stayed on the fast path: " + smallestRead + " keys");
        assertTrue(evicted > 100, "the kernel evicted only " + evicted + " keys");
        assertEquals(List.of(), shortfalls.subList(0, Math.min(10, shortfalls.size())), shortfalls.size() + " shortfalls");
        assertEquals(List.of(), decreases.subList(0, Math.min(10, decreases.size())), decreases.size() + " decreases");
    }

    /**
     * A counter that changes paths as its map grows: the sample path (900
     * keys), the fast path (1,200 keys, its carry seeded from the sample
     * path's series) and the fold (1,500 keys over a limit of 1,300), keys
     * deleted and made again with small counts all along. No series ever
     * goes down, "other" included.
     */
    @Test
    void seriesNeverGoDownWhenTheMapChangesPaths() {
        ConfigDir.with(dir, "lru", "churn_lru", """
                metrics:
                  counters:
                    - name: churn_lru_total
                      help: churning keys of a large LRU map
                      labels:
                        - name: key
                          size: 8
                          decoders:
                            - name: uint
                """);
        Random random = new Random(90);
        Map<String, Double> last = new HashMap<>();
        List<String> decreases = new ArrayList<>();
        // Writes from one CPU only: an LRU map takes free entries per CPU in batches and evicts
        // before it is full when writers move between CPUs (seen on a busy host: the map stayed
        // under the series limit and nothing folded).
        ThreadAffinity.pinCurrentThread(0);
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true).withMaxSeries(1_300), List.of())) {
            BpfMap map = ((ConfigModule) agent.modules().get(0)).object().map("churn_lru_total").orElseThrow();
            int scrape = 0;
            for (int keys : new int[] {900, 1_200, 1_500}) {
                for (int k = 0; k < keys; k++) {
                    if (map.lookup(u64(k)).isEmpty()) {
                        map.update(u64(k), u64(1 + random.nextInt(100)), BpfMap.BPF_ANY);
                    }
                }
                for (int s = 0; s < 30; s++) {
                    for (int i = 0; i < 40; i++) {
                        byte[] k = u64(random.nextInt(keys));
                        long now = map.lookup(k).map(MonotonicCountersTest::u64).orElse(0L);
                        if (random.nextInt(4) == 0) {
                            map.delete(k); // gone, and back with a small count
                            map.update(k, u64(1 + random.nextInt(5)), BpfMap.BPF_ANY);
                        } else {
                            map.update(k, u64(now + 1 + random.nextInt(50)), BpfMap.BPF_ANY);
                        }
                    }
                    scrape++;
                    for (String line : Scrape.metrics(agent.port()).lines()
                            .filter(l -> l.startsWith("bpfwatch_churn_lru_total{")).toList()) {
                        String series = line.substring(0, line.lastIndexOf(' '));
                        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        Double before = last.put(series, value);
                        if (before != null && value < before) {
                            decreases.add("scrape " + scrape + " (" + keys + " keys): " + series + " " + before
                                    + " -> " + value);
                        }
                    }
                }
            }
        } finally {
            ThreadAffinity.unpinCurrentThread(Runtime.getRuntime().availableProcessors());
        }
        System.out.println("MonotonicCountersTest, path changes: 90 scrapes, " + last.size() + " series seen, "
                + decreases.size() + " decreases");
        decreases.stream().limit(10).forEach(System.out::println);
        assertTrue(last.keySet().stream().anyMatch(k -> k.contains("key=\"other\"")), "nothing folded");
        assertEquals(List.of(), decreases.subList(0, Math.min(10, decreases.size())), decreases.size() + " decreases");
    }

    /**
     * Histograms the same way: (label, bucket) keys of 20 label sets x 9 keys
     * (buckets 0-7, the sum at 8) churn through a 64-entry LRU map under a
     * series limit of 5 label sets, while 200 scrapes read it. No _bucket,
     * _count or _sum series ever goes down.
     */
    @Test
    void histogramSeriesNeverGoDown() {
        ConfigDir.with(dir, "hist", "churn_hist", """
                metrics:
                  histograms:
                    - name: churn_hist
                      help: churning histogram keys
                      bucket_type: linear
                      bucket_min: 0
                      bucket_max: 7
                      bucket_multiplier: 1
                      labels:
                        - name: label
                          size: 4
                          decoders:
                            - name: uint
                        - name: bucket
                          size: 4
                          decoders:
                            - name: uint
                """);
        Random random = new Random(78);
        Map<String, Double> last = new HashMap<>();
        List<String> decreases = new ArrayList<>();
        Set<Long> written = new HashSet<>();
        int evicted = 0;
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true).withMaxSeries(5), List.of())) {
            BpfMap map = ((ConfigModule) agent.modules().get(0)).object().map("churn_hist").orElseThrow();
            for (int scrape = 1; scrape <= 200; scrape++) {
                for (int i = 0; i < 10; i++) {
                    int label = random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(20);
                    int bucket = random.nextInt(8);
                    long n = 1 + random.nextInt(20);
                    evicted += add(map, label, bucket, n, written);
                    evicted += add(map, label, 8, n * bucket, written); // the sum: each observation's value
                }
                String text = Scrape.metrics(agent.port());
                for (String line : text.lines().filter(l -> l.startsWith("bpfwatch_churn_hist_")).toList()) {
                    String series = line.substring(0, line.lastIndexOf(' '));
                    double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    Double before = last.put(series, value);
                    if (before != null && value < before) {
                        decreases.add("scrape " + scrape + ": " + series + " " + before + " -> " + value);
                    }
                }
            }
        }
        System.out.println("MonotonicCountersTest, histogram: 200 scrapes, " + evicted + " keys evicted, "
                + last.size() + " series seen, " + decreases.size() + " decreases");
        decreases.stream().limit(10).forEach(System.out::println);
        assertTrue(evicted > 100, "the kernel evicted only " + evicted + " keys");
        assertTrue(last.keySet().stream().anyMatch(k -> k.contains("label=\"other\"")), "nothing folded");
        assertTrue(last.keySet().stream().anyMatch(k -> k.startsWith("bpfwatch_churn_hist_sum{")), "no _sum");
        assertEquals(List.of(), decreases.subList(0, Math.min(10, decreases.size())), decreases.size() + " decreases");
    }

    /** Adds n to the (label, bucket) key; 1 when a key written before was found evicted. */
    private static int add(BpfMap map, int label, int bucket, long n, Set<Long> written) {
        byte[] k = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(label).putInt(bucket).array();
        long id = (long) label << 32 | bucket;
        var before = map.lookup(k);
        int evicted = before.isEmpty() && written.remove(id) ? 1 : 0;
        map.update(k, u64(before.map(MonotonicCountersTest::u64).orElse(0L) + n), BpfMap.BPF_ANY);
        written.add(id);
        return evicted;
    }

    /**
     * One scrape's worth of counting: a few keys (a hot few more often) gain
     * counts, new keys push old ones out of the LRU map, now and then one is
     * deleted. Returns how many keys written before were found evicted.
     */
    private static int churn(BpfMap map, Random random, Set<Long> written) {
        int evicted = 0;
        for (int i = 0; i < 12; i++) {
            long key = random.nextInt(4) == 0 ? random.nextInt(8) : random.nextInt(KEYS);
            byte[] k = u64(key);
            var before = map.lookup(k);
            if (before.isEmpty() && written.remove(key)) {
                evicted++;
            }
            long value = before.map(MonotonicCountersTest::u64).orElse(0L) + 1 + random.nextInt(50);
            map.update(k, u64(value), BpfMap.BPF_ANY);
            written.add(key);
        }
        if (random.nextInt(5) == 0) {
            long key = random.nextInt(KEYS);
            if (map.delete(u64(key))) {
                written.remove(key);
            }
        }
        return evicted;
    }

    private static Map<String, Double> totals(Agent agent) {
        Map<String, Double> out = new HashMap<>();
        for (Collector.MetricFamilySamples f : Collections.list(agent.registry().metricFamilySamples())) {
            for (Collector.MetricFamilySamples.Sample s : f.samples) {
                if (s.name.endsWith("_total")) {
                    StringBuilder id = new StringBuilder(s.name).append('{');
                    for (int i = 0; i < s.labelNames.size(); i++) {
                        id.append(i > 0 ? "," : "").append(s.labelNames.get(i)).append('=').append(s.labelValues.get(i));
                    }
                    out.put(id.append('}').toString(), s.value);
                }
            }
        }
        return out;
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    private static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong();
    }
}
