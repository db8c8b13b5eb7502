package dev.bpfwatch.bench;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.agent.ConfigModule;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.PackedEntries;
import io.prometheus.client.Collector;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * 1. Scrape cost against map size: a hash map of N u64 counters served by
 * an in-process agent, read by bpfwatch, by the C floor (batch) and key by
 * key (ebpf_exporter's way), then collected, formatted and scraped over HTTP.
 */
final class MapScrapeBench {
    static final int[] SIZES = {1_000, 10_000, 100_000, 1_000_000};
    private static final String METRIC = "bpfwatch_bench_map_total";
    private static final String YAML = """
            # Scrape benchmark: one counter per u64 key.
            metrics:
              counters:
                - name: bench_map
                  help: Benchmark counters, one per key.
                  labels:
                    - name: key
                      size: 8
                      decoders:
                        - name: uint
            """;

    private final Path build;
    private final Path work;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    MapScrapeBench(Path build, Path work) {
        this.build = build;
        this.work = work;
    }

    /** Median ns per size of each path, kept for the closing note. */
    record Result(int n, double floorBatch, double floorKeys, double read, double readKeys, double collect,
                  double format, double scrape) {
    }

    List<Result> run(Report.Section s) throws IOException {
        s.method("A BPF hash map (u64 key, u64 value, max_entries = N, `bench/bpf/bench_map.bpf.c`) filled with N "
                + "entries is served by an agent started in-process (`Agent.start`) with a one-counter config "
                + "(label `key`, decoder `uint`), and pinned at /sys/fs/bpf/bpfwatch-bench/ for the C programs.");
        s.method("**C batch floor** (the baseline): `bench/c/map_floor.c` opens the pinned map (bpf_obj_get) and reads "
                + "it with bpf_map_lookup_batch in chunks of 4096 (bpfwatch's chunk), keeping nothing. "
                + "**C key by key**: the same program with bpf_map_get_next_key + bpf_map_lookup_elem per entry, "
                + "what ebpf_exporter does (two syscalls an entry).");
        s.method("**bpfwatch read**: `BpfMap.readPacked()`, the batch lookup through jnr-ffi a scrape makes (keys and "
                + "values packed in one array each, handed back with `recycle` as the scrape does once written, so the "
                + "next read refills them); taken in turns with the C batch floor, one run each (each floor run is a "
                + "process that reads once before the timed read). **as entries**: `BpfMap.entries()`, one key and "
                + "value array per entry, the form small maps and /maps use. **bpfwatch key by key**: `BpfMap.entriesKeyByKey()`. **collect**: the agent's registry "
                + "collected to samples (read + decode + label sets). **format**: those samples written as text "
                + "exposition 0.0.4, alone. **full scrape**: GET /metrics over HTTP from a java.net.http client, "
                + "body read and every sample line parsed (name, labels, value), N samples checked.");
        s.method("Each figure is the median (p90 in brackets) of repeated runs after warm-up runs: 30 runs at 1k, "
                + "20 at 10k, 10 at 100k, 5 at 1M (3 at 1M for key by key, collect, format and the HTTP scrape).");
        List<Result> results = new ArrayList<>();
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        Path pinDir = Path.of("/sys/fs/bpf/bpfwatch-bench");
        Files.createDirectories(pinDir);
        for (int n : SIZES) {
            results.add(one(s, n, pinDir));
        }
        return results;
    }

    private Result one(Report.Section s, int n, Path pinDir) throws IOException {
        Path dir = work.resolve("map-" + n);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bench_map.yaml"), YAML);
        Files.copy(build.resolve("bpf/bench_map_" + n + ".bpf.o"), dir.resolve("bench_map.bpf.o"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        int runs = n <= 1_000 ? 30 : n <= 10_000 ? 20 : n <= 100_000 ? 10 : 5;
        int warm = n >= 1_000_000 ? 1 : 3;
        int slowRuns = n >= 1_000_000 ? 3 : runs;
        String label = label(n);
        Path pin = pinDir.resolve("map_" + n);
        Files.deleteIfExists(pin);
        // Strict, and a series limit above the map size: every entry must reach the exposition unfolded.
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of("bench_map")).withStrict(true).withMaxSeries(2 * n);
        try (Agent agent = Agent.start(options)) {
            ConfigModule config = (ConfigModule) agent.modules().get(0);
            BpfMap map = config.object().map("bench_map").orElseThrow();
            fill(map, n);
            map.pin(pin.toString());
            try {
                // The floor and the read take turns, one run each, so that drift on a shared machine
                // falls on both alike (blocks of each gave floors a factor of two apart between runs).
                Timing.repeat(warm, 0, () -> readAsScrapeDoes(map, n));
                List<Long> floorBatch = new ArrayList<>();
                List<Long> read = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    floorBatch.addAll(floor(pin, "batch", 1, 1, n));
                    read.addAll(Timing.repeat(0, 1, () -> readAsScrapeDoes(map, n)));
                }
                List<Long> readEntries = Timing.repeat(warm, runs, () -> check(n, map.entries().size()));
                List<Long> floorKeys = floor(pin, "keys", slowRuns, warm, n);
                List<Long> readKeys = Timing.repeat(warm, slowRuns, () -> check(n, map.entriesKeyByKey().size()));
                List<Long> collect = Timing.repeat(warm, slowRuns, () -> collect(agent));
                List<Collector.MetricFamilySamples> samples = collect(agent);
                List<Long> format = Timing.repeat(warm, slowRuns, () -> format(samples));
                List<Long> scrape = Timing.repeat(warm, slowRuns, () -> check(n, scrape(agent.port())));
                double fb = Timing.median(floorBatch);
                double fk = Timing.median(floorKeys);
                double r = Timing.median(read);
                double rk = Timing.median(readKeys);
                s.row(label + ": **bpfwatch read** (batch)", Timing.msWithP90(read),
                        "C batch floor " + Timing.msWithP90(floorBatch), Report.ratio(r, fb),
                        n == 100_000 ? "<= 2x" : "", n == 100_000 ? r <= 2 * fb : null);
                s.row(label + ": bpfwatch read as entries (`entries()`, an object per entry)",
                        Timing.msWithP90(readEntries), "C batch floor " + Timing.ms(fb),
                        Report.ratio(Timing.median(readEntries), fb), "", null);
                s.row(label + ": bpfwatch read vs key by key", Timing.ms(r), "C key by key " + Timing.msWithP90(floorKeys),
                        Report.ratio(r, fk), "well ahead (<= 0.5x)", r <= 0.5 * fk);
                s.row(label + ": bpfwatch key by key (`entriesKeyByKey`)", Timing.msWithP90(readKeys),
                        "C batch floor " + Timing.ms(fb), Report.ratio(rk, fb), "", null);
                s.row(label + ": collect (read + decode)", Timing.msWithP90(collect), "C batch floor " + Timing.ms(fb),
                        Report.ratio(Timing.median(collect), fb), "", null);
                s.row(label + ": format (text exposition alone)", Timing.msWithP90(format),
                        "C batch floor " + Timing.ms(fb), Report.ratio(Timing.median(format), fb), "", null);
                s.row(label + ": full scrape (HTTP, parsed)", Timing.msWithP90(scrape),
                        "C batch floor " + Timing.ms(fb), Report.ratio(Timing.median(scrape), fb), "", null);
                System.out.printf("map %s: floor batch %s, floor keys %s, read %s, read keys %s, collect %s, "
                        + "format %s, scrape %s%n", label, Timing.ms(fb), Timing.ms(fk), Timing.ms(r), Timing.ms(rk),
                        Timing.ms(Timing.median(collect)), Timing.ms(Timing.median(format)),
                        Timing.ms(Timing.median(scrape)));
                return new Result(n, fb, fk, r, rk, Timing.median(collect), Timing.median(format),
                        Timing.median(scrape));
            } finally {
                Files.deleteIfExists(pin);
            }
        }
    }

    static String label(int n) {
        return n >= 1_000_000 ? (n / 1_000_000) + "M" : (n / 1_000) + "k";
    }

    private static void fill(BpfMap map, int n) {
        byte[] key = new byte[8];
        byte[] value = new byte[8];
        ByteBuffer k = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        for (long i = 0; i < n; i++) {
            // Spread keys over the u64 range, as counters keyed by addresses or ids would be.
            k.putLong(0, i * 0x9E3779B97F4A7C15L);
            v.putLong(0, i * 7 + 1);
            map.update(key, value, BpfMap.BPF_ANY);
        }
    }

    /** The read a scrape makes: packed arrays, handed back once used so the next read refills them. */
    private static void readAsScrapeDoes(BpfMap map, int n) {
        PackedEntries read = map.readPacked();
        check(n, read.count());
        map.recycle(read);
    }

    private static void check(int expected, int got) {
        if (got != expected) {
            throw new IllegalStateException("read " + got + " entries, expected " + expected);
        }
    }

    private List<Long> floor(Path pin, String mode, int runs, int warm, int n) {
        String out = Proc.run(List.of(build.resolve("map_floor").toString(), pin.toString(), mode,
                Integer.toString(runs), Integer.toString(warm)), 600);
        List<Long> ns = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("entries ")) {
                check(n, Integer.parseInt(line.substring(8).trim()));
            } else if (line.startsWith("ns ")) {
                ns.add(Long.parseLong(line.substring(3).trim()));
            }
        }
        return ns;
    }

    private static List<Collector.MetricFamilySamples> collect(Agent agent) {
        return Collections.list(agent.registry().metricFamilySamples());
    }

    private static void format(List<Collector.MetricFamilySamples> samples) {
        try {
            StringWriter w = new StringWriter(64 * samples.size());
            TextFormat.write004(w, Collections.enumeration(samples));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET /metrics and parse every sample line; returns how many samples of the bench metric it held. */
    private int scrape(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("scrape returned " + r.statusCode());
            }
            return Exposition.count(r.body(), METRIC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
