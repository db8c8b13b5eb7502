package dev.bpfwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.ratelimit.ChannelFilter;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.RateLimit;
import dev.bpfwatch.ratelimit.UdpRateLimiter;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.PrometheusServer;
import dev.bpfwatch.testing.RepoFiles;
import dev.bpfwatch.testing.TestNetns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Debian's real Prometheus, configured with deploy/prometheus/ (only the
 * target address and intervals changed), scrapes an in-process agent while
 * the test makes exact listen drops in a namespace of its own; then the
 * dashboard's queries and the alert rules run against what it stored.
 */
class PrometheusScrapeTest {
    private static final long TIMEOUT_S = 90;

    /**
     * Dashboard panels that cannot show data in this test, and why. Every
     * other panel's queries must return data.
     */
    private static final Map<String, String> NO_DATA_HERE = Map.of();

    @Test
    void prometheusSeesTheListenDropsTheTestCaused(@TempDir Path tmp) throws IOException {
        String filter = "prom-it-" + ProcessHandle.current().pid();
        String orphan = "prom-it-orphan-" + ProcessHandle.current().pid();
        // the embedded default, with --bpf.stats for the run-time panels
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withBpfStats(true);
        try (Agent agent = Agent.start(options);
             TestNetns ns = TestNetns.create();
             DatagramChannel udp = DatagramChannel.open()) {
            TestNetns.Started slow = ns.listener("slowsrv", "127.0.0.1", 1, false);
            String series = "bpfwatch_tcp_listen_drops_total{netns=\"" + ns.inode() + "\",port=\"" + slow.port() + "\"}";

            try (PrometheusServer prom = PrometheusServer.start(config(tmp, agent.port()), tmp)) {
                // Seen before the flood, so the rise happens between two scrapes (rate() and the alert see it).
                double before = await(prom, series, "the slow listener scraped before the flood", v -> true);
                assertEquals(0.0, before, "no drops before the flood");

                ns.flood("127.0.0.1", slow.port(), 60, 1.5);
                long nstat = ns.settledNstat("TcpExtListenDrops");
                assertTrue(nstat > 0, "the flood overflowed a backlog of 1");
                double seen = await(prom, series, "Prometheus stores " + nstat + " listen drops", v -> v == nstat);
                assertEquals(nstat, seen, "Prometheus has the namespace's TcpExtListenDrops for the listener");
                Map<String, Object> labels = metric(prom.query(series).get(0));
                assertEquals("slowsrv", labels.get("comm"));
                assertEquals(Integer.toString(slow.pid()), labels.get("pid"));
                assertEquals("bpfwatch", labels.get("job"), "the job name of deploy/prometheus/prometheus.yml");

                // The UDP limiter: a filter on a loopback socket, flooded to 127.0.0.2 (rate 10, burst 5).
                udp.bind(new InetSocketAddress("0.0.0.0", 0));
                int udpPort = ((InetSocketAddress) udp.getLocalAddress()).getPort();
                ChannelFilter.attach(udp, filter, RateLimit.of(10, 5));
                String udpDrops = "bpfwatch_udp_ratelimit_packets_total{filter=\"" + filter
                        + "\",dst_ip=\"127.0.0.2\",verdict=\"drop\"}";
                // One datagram (within the burst) first, so Prometheus has a 0 before the drops: rate() sees them.
                Loopback.sendUdp("127.0.0.2", udpPort, 1, 16);
                assertEquals(0.0, await(prom, udpDrops, "the limiter's first datagram", v -> true));
                Loopback.sendUdp("127.0.0.2", udpPort, 50, 16);
                await(prom, udpDrops, "the limiter's drops", v -> v >= 40);

                // A filter whose socket closed (its server exited): attached to nothing, as the kernel says.
                try (DatagramChannel closing = DatagramChannel.open()) {
                    closing.bind(new InetSocketAddress("127.0.0.1", 0));
                    ChannelFilter.attach(closing, orphan, RateLimit.of(10, 5));
                }
                await(prom, "bpfwatch_udp_ratelimit_attached_sockets{filter=\"" + orphan + "\"}",
                        "the closed socket's filter attached to nothing", v -> v == 0);
                assertEquals(1.0, prom.query("bpfwatch_udp_ratelimit_attached_sockets{filter=\"" + filter + "\"}")
                        .stream().mapToDouble(PrometheusScrapeTest::value).sum(), "the live filter is on its socket");

                checkDashboard(prom);
                checkRules(prom, slow.port(), filter, orphan);
            }
        } finally {
            for (String f : List.of(filter, orphan)) {
                if (FilterPins.exists(f)) {
                    UdpRateLimiter.detach(f, null, false);
                }
            }
        }
        assertFalse(FilterPins.exists(filter), "filter pins removed");
        assertFalse(FilterPins.exists(orphan), "filter pins removed");
    }

    /** deploy/prometheus/prometheus.yml with its target and intervals changed, and the rules file beside it. */
    @SuppressWarnings("unchecked")
    private static Path config(Path dir, int agentPort) throws IOException {
        Map<String, Object> conf = RepoFiles.yaml(RepoFiles.read("deploy/prometheus/prometheus.yml"));
        Map<String, Object> global = (Map<String, Object>) conf.get("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        Map<String, Object> job = ((List<Map<String, Object>>) conf.get("scrape_configs")).get(0);
        job.put("scrape_interval", "1s");
        job.put("scrape_timeout", "1s");
        job.put("static_configs", List.of(Map.of("targets", List.of("127.0.0.1:" + agentPort))));
        for (Object rules : (List<Object>) conf.get("rule_files")) {
            Files.copy(RepoFiles.path("deploy/prometheus/" + rules), dir.resolve(rules.toString()));
        }
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, new Yaml(dump).dump(conf));
        return file;
    }

    /**
     * Each panel's queries parse and run on the server; all but those in
     * NO_DATA_HERE return data (waiting, as rate() needs two samples).
     */
    @SuppressWarnings("unchecked")
    private static void checkDashboard(PrometheusServer prom) {
        Map<String, String> empty = new LinkedHashMap<>();
        for (Map<String, Object> panel : Dashboard.panels()) {
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            String title = (String) panel.get("title");
            for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
                String expr = Dashboard.expand((String) target.get("expr"));
                List<Map<String, Object>> result = prom.query(expr); // a parse error throws here
                if (NO_DATA_HERE.containsKey(title)) {
                    System.out.printf("dashboard panel '%s': %d series (not expected here: %s)%n", title,
                            result.size(), NO_DATA_HERE.get(title));
                    continue;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (result.isEmpty() && System.nanoTime() < deadline) {
                    TestNetns.sleep(1000);
                    result = prom.query(expr);
                }
                System.out.printf("dashboard panel '%s' %s: %d series%n", title, target.get("refId"), result.size());
                if (result.isEmpty()) {
                    empty.put(title, expr);
                }
            }
        }
        assertTrue(empty.isEmpty(), "panels without data: " + empty);
    }

    /** The rules load and evaluate without error, and the alerts this test provokes are pending or firing. */
    @SuppressWarnings("unchecked")
    private static void checkRules(PrometheusServer prom, int listenerPort, String filter, String orphan) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        List<String> missing = List.of();
        while (System.nanoTime() < deadline) {
            Map<String, Object> data = (Map<String, Object>) prom.api("/api/v1/rules").get("data");
            List<Map<String, Object>> rules = new ArrayList<>();
            for (Map<String, Object> g : (List<Map<String, Object>>) data.get("groups")) {
                rules.addAll((List<Map<String, Object>>) g.get("rules"));
            }
            assertTrue(rules.size() >= 5, "rules loaded: " + rules.size());
            for (Map<String, Object> r : rules) {
                assertFalse("err".equals(r.get("health")), r.get("name") + ": " + r.get("lastError"));
            }
            List<Map<String, Object>> alerts = (List<Map<String, Object>>)
                    ((Map<String, Object>) prom.api("/api/v1/alerts").get("data")).get("alerts");
            List<String> active = alerts.stream().map(a -> {
                Map<String, Object> l = (Map<String, Object>) a.get("labels");
                return l.get("alertname") + "/" + l.getOrDefault("port", "") + "/" + l.getOrDefault("dst_ip", "")
                        + "/" + l.getOrDefault("filter", "");
            }).toList();
            missing = new ArrayList<>();
            for (String want : List.of("BpfwatchListenDropsRising/" + listenerPort + "//",
                    "BpfwatchAcceptQueueNearlyFull/" + listenerPort + "//",
                    "BpfwatchUdpLimiterDropping//127.0.0.2/" + filter,
                    "BpfwatchUdpFilterProtectsNothing///" + orphan)) {
                if (!active.contains(want)) {
                    missing.add(want);
                }
            }
            boolean evaluated = rules.stream().allMatch(r -> "ok".equals(r.get("health")));
            if (missing.isEmpty() && evaluated) {
                System.out.println("alerts pending or firing: " + active);
                // A healthy agent raises nothing else: an alert that fires on every host is noise people mute.
                List<String> unprovoked = active.stream().filter(a -> !a.startsWith("BpfwatchListenDropsRising/")
                        && !a.startsWith("BpfwatchAcceptQueueNearlyFull/")
                        && !a.startsWith("BpfwatchUdpLimiterDropping/")
                        && !a.startsWith("BpfwatchUdpFilterProtectsNothing/")).toList();
                assertEquals(List.of(), unprovoked, "alerts nothing in this test provoked");
                return;
            }
            TestNetns.sleep(1000);
        }
        fail("alerts not active after " + TIMEOUT_S + " s: " + missing);
    }

    /** Polls an instant query until its one series' value passes {@code until}; returns the value. */
    private static double await(PrometheusServer prom, String promql, String what, Predicate<Double> until) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        String last = "no series";
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> result = prom.query(promql);
            if (result.size() == 1) {
                double v = value(result.get(0));
                if (until.test(v)) {
                    return v;
                }
                last = Double.toString(v);
            } else if (result.size() > 1) {
                fail(promql + ": " + result.size() + " series, expected one: " + result);
            }
            TestNetns.sleep(500);
        }
        fail(what + ": " + promql + " still " + last + " after " + TIMEOUT_S + " s\n" + prom.log());
        return 0;
    }

    private static double value(Map<String, Object> sample) {
        List<Object> v = (List<Object>) sample.get("value");
        return Double.parseDouble(v.get(1).toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metric(Map<String, Object> sample) {
        return (Map<String, Object>) sample.get("metric");
    }
}
