package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With --metrics.namespace ebpf_exporter, every built-in family ebpf_exporter
 * has comes with its exact name and label set (scraped over HTTP), and the
 * process_* families every exporter carries are there with values this
 * process's /proc confirms.
 */
class PeerSelfMetricsTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path dir;

    record Sample(String name, Map<String, String> labels, double value) {
    }

    static List<Sample> parse(String exposition) {
        List<Sample> out = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return out;
    }

    /** Every sample of {@code name}, each checked to carry exactly {@code labels}. */
    static List<Sample> family(List<Sample> all, String name, String... labels) {
        List<Sample> found = all.stream().filter(s -> s.name().equals(name)).toList();
        assertFalse(found.isEmpty(), name + " missing");
        for (Sample s : found) {
            assertEquals(new TreeSet<>(List.of(labels)), s.labels().keySet(), name + " label set");
        }
        return found;
    }

    @Test
    void builtInFamiliesHaveThePeersNamesAndLabels() throws Exception {
        ConfigDir.with(dir, "events", "perf_events", PerfEventCounterTest.CONFIG.formatted("1h"));
        int port = Loopback.closedUdpPort();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withNamespace("ebpf_exporter").withBpfStats(true), List.of())) {
            Loopback.sendUdp("127.0.0.1", port, 20, 64);
            String text = Scrape.metrics(agent.port());
            List<Sample> all = parse(text);

            assertEquals(1, family(all, "ebpf_exporter_enabled_configs", "name").get(0).value());
            assertEquals("events", family(all, "ebpf_exporter_enabled_configs", "name").get(0).labels().get("name"));
            Sample info = family(all, "ebpf_exporter_ebpf_program_info", "config", "program", "tag", "id").get(0);
            assertEquals("events", info.labels().get("config"));
            assertTrue(info.labels().get("tag").matches("[0-9a-f]{16}"), info.toString());
            String id = info.labels().get("id");
            assertTrue(Integer.parseInt(id) > 0, info.toString());
            Sample attached = family(all, "ebpf_exporter_ebpf_program_attached", "id").get(0);
            assertEquals(Map.of("id", id), attached.labels());
            assertEquals(1, attached.value());
            // The program runs on every kfree_skb: at least once per datagram sent to the closed port.
            Sample runs = family(all, "ebpf_exporter_ebpf_program_run_count_total", "id").get(0);
            assertEquals(id, runs.labels().get("id"));
            assertTrue(runs.value() >= 20, runs.toString());
            Sample time = family(all, "ebpf_exporter_ebpf_program_run_time_seconds", "id").get(0);
            assertTrue(time.value() > 0, time.toString());
            assertTrue(text.contains("# TYPE ebpf_exporter_ebpf_program_run_time_seconds untyped\n"), text);
            assertEquals(0, family(all, "ebpf_exporter_decoder_errors_total", "config").get(0).value());
            assertEquals(0, family(all, "dropped_perf_event_map_events_udp_drop_events").get(0).value());
            assertFalse(text.contains("ebpf_exporter_perf_events_lost"), "bpfwatch's own form is replaced");
            Sample build = family(all, "ebpf_exporter_build_info",
                    "branch", "goarch", "goos", "goversion", "revision", "tags", "version").get(0);
            assertEquals("linux", build.labels().get("goos"));
            assertEquals("amd64", build.labels().get("goarch"));
            assertEquals("java" + Runtime.version(), build.labels().get("goversion"));

            assertProcessFamilies(all);
        }
    }

    /** The JVM under test is the agent's process: its /proc/self is the truth. */
    private static void assertProcessFamilies(List<Sample> all) throws IOException {
        double maxFds = family(all, "process_max_fds").get(0).value();
        String limit = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
        assertEquals(Double.parseDouble(limit.split("\\s+")[3]), maxFds);
        double openFds = family(all, "process_open_fds").get(0).value();
        long fdsNow;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fdsNow = fds.count();
        }
        assertTrue(Math.abs(openFds - fdsNow) <= 10, openFds + " vs " + fdsNow);
        double start = family(all, "process_start_time_seconds").get(0).value();
        Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
        // The kernel's start is the fork; the JVM's own clock starts a moment later.
        assertTrue(start >= started.getEpochSecond() && start - started.getEpochSecond() <= 5,
                start + " vs " + started);
        assertTrue(family(all, "process_cpu_seconds_total").get(0).value() > 0);
        String status = Files.readString(Path.of("/proc/self/status"));
        double rss = family(all, "process_resident_memory_bytes").get(0).value();
        double vsz = family(all, "process_virtual_memory_bytes").get(0).value();
        Matcher vmRss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
        assertTrue(vmRss.find(), status);
        double rssNow = Double.parseDouble(vmRss.group(1)) * 1024;
        assertTrue(rss > rssNow / 2 && rss < rssNow * 2 && rss < vsz, rss + " vs VmRSS " + rssNow + ", " + vsz);
    }

    @Test
    void bpfwatchNamespaceKeepsItsOwnForm() {
        ConfigDir.with(dir, "events", "perf_events", PerfEventCounterTest.CONFIG.formatted("1h"));
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            List<Sample> all = parse(Scrape.metrics(agent.port()));
            family(all, "bpfwatch_ebpf_program_attached", "config", "program");
            family(all, "bpfwatch_ebpf_program_run_time_seconds_total", "config", "program");
            family(all, "bpfwatch_perf_events_lost_total", "config", "metric");
            family(all, "bpfwatch_build_info", "branch", "goarch", "goos", "goversion", "revision", "tags", "version");
            Set<String> names = new TreeSet<>(all.stream().map(Sample::name).toList());
            assertTrue(names.contains("process_open_fds"), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.startsWith("dropped_perf_event_map_events")), names.toString());
        }
    }
}
