package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import dev.bpfwatch.testing.TestNetns;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded default config, the whole way: kernel event -> map -> decoders
 * -> HTTP scrape. Its counts are host-wide, and other processes drop packets
 * too, so beside it runs netns_drops (the same tracepoint, keyed also by
 * network namespace): traffic sent in a namespace the test made is read
 * exactly there.
 */
class AgentTest {
    private static final String DROPS = "bpfwatch_kfree_skb_drops_total";
    private static final String NETNS_DROPS = "bpfwatch_netns_drops_total";
    private static Agent agent;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("bpfwatch-agenttest");
        ConfigDir.defaultDrops(dir);
        ConfigDir.netnsDrops(dir);
        agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of("kfree_skb_drops", "netns_drops")), List.of());
        assertEquals(List.of(), List.copyOf(agent.failures().values()));
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
        assertEquals(0, Bpftool.countOwnPrograms("count_drop"), "closing the agent releases its programs");
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    /**
     * One namespace's drops by reason. Namespace inodes are reused once a
     * namespace is gone, so a new one may start from an old one's counts:
     * tests compare before and after.
     */
    private static java.util.Map<String, Double> netnsDrops(TestNetns ns) {
        String prefix = NETNS_DROPS + "{netns=\"" + ns.inode() + "\",reason=\"";
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        Scrape.metrics(agent.port()).lines().filter(l -> l.startsWith(prefix)).forEach(l -> {
            String rest = l.substring(prefix.length());
            out.put(rest.substring(0, rest.indexOf('"')), Double.parseDouble(rest.substring(rest.lastIndexOf(' ') + 1)));
        });
        return out;
    }

    /** after - before per reason, for the reasons that moved. */
    private static java.util.Map<String, Double> moved(java.util.Map<String, Double> before,
            java.util.Map<String, Double> after) {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        after.forEach((reason, v) -> {
            double d = v - before.getOrDefault(reason, 0.0);
            if (d != 0) {
                out.put(reason, d);
            }
        });
        return out;
    }

    private static double drops(String reason) {
        return Scrape.value(Scrape.metrics(agent.port()), DROPS, "reason=\"" + reason + "\"");
    }

    /** Before the test's traffic a reason may not have happened yet on this host: no key, no series. */
    private static double dropsSoFar(String reason) {
        return Scrape.find(Scrape.metrics(agent.port()), DROPS, "reason=\"" + reason + "\"").orElse(0);
    }

    @Test
    void udpToAClosedPortCountsAsNoSocket() {
        try (TestNetns ns = TestNetns.create()) {
            double before = dropsSoFar("NO_SOCKET");
            var nsBefore = netnsDrops(ns);
            ns.sendUdp(9, 250);
            assertEquals(java.util.Map.of("NO_SOCKET", 250.0), moved(nsBefore, netnsDrops(ns)),
                    "the namespace's drops, exactly");
            String e = Scrape.metrics(agent.port());
            // The default config counts the whole host: the test's 250 and whatever else dropped meanwhile.
            double after = Scrape.value(e, DROPS, "reason=\"NO_SOCKET\"");
            assertTrue(after - before >= 250, "NO_SOCKET rose by " + (after - before) + ", sent 250");
        }
    }

    @Test
    void floodingASmallReceiveBufferCountsAsSocketRcvbuff() throws Exception {
        double before = dropsSoFar("SOCKET_RCVBUFF");
        int sent = 400;
        int received = 0;
        try (DatagramSocket receiver = new DatagramSocket(null)) {
            receiver.setReceiveBufferSize(2048); // the kernel doubles and floors it: a few packets fit
            receiver.bind(new InetSocketAddress("127.0.0.1", 0));
            Loopback.sendUdp("127.0.0.1", receiver.getLocalPort(), sent, 1000);
            receiver.setSoTimeout(200);
            byte[] buf = new byte[2048];
            try {
                while (true) {
                    receiver.receive(new DatagramPacket(buf, buf.length));
                    received++;
                }
            } catch (SocketTimeoutException drained) {
                // every queued datagram read
            }
        }
        int dropped = sent - received;
        double after = drops("SOCKET_RCVBUFF");
        assertTrue(dropped > 0, "the tiny buffer must overflow (received " + received + ")");
        assertTrue(after - before >= dropped,
                "SOCKET_RCVBUFF rose by " + (after - before) + ", receiver lost " + dropped);
    }

    /** Slots of the default config's reason array that hold a count (summed over CPUs). */
    private static int nonZeroSlots() {
        BpfMap map = ((ConfigModule) agent.modules().stream().filter(m -> m.name().equals("kfree_skb_drops"))
                .findFirst().orElseThrow()).object().map("kfree_skb_drops").orElseThrow();
        return (int) map.entries().stream().filter(en -> map.sumU64(en.value(), 0) != 0).count();
    }

    @Test
    void onlyReasonsThatDroppedSomethingAreSeries() {
        // Core reasons live in a 512-slot array; skip_zeros keeps the idle ones out: one series per
        // slot that counted something, no more. A reason first dropping on the host between the
        // reads changes the count of slots, so the reads repeat until the map held still around one.
        try (TestNetns ns = TestNetns.create()) {
            var nsBefore = netnsDrops(ns);
            ns.sendUdp(9, 1);
            int slotsBefore;
            int slotsAfter;
            List<String> series;
            int tries = 0;
            do {
                slotsBefore = nonZeroSlots();
                series = Scrape.metrics(agent.port()).lines().filter(l -> l.startsWith(DROPS + "{")).toList();
                slotsAfter = nonZeroSlots();
            } while (slotsBefore != slotsAfter && ++tries < 5);
            assertEquals(slotsAfter, slotsBefore, "the host kept finding new drop reasons");
            assertEquals(slotsAfter, series.size(), series.toString());
            assertTrue(series.stream().noneMatch(l -> l.endsWith(" 0.0")), series.toString());
            assertEquals(java.util.Map.of("NO_SOCKET", 1.0), moved(nsBefore, netnsDrops(ns)),
                    "the namespace dropped one datagram, for want of a socket, and nothing else");
        }
    }

    @Test
    void reasonsAreNamedNeverNumbered() {
        Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 1, 1);
        String exposition = Scrape.metrics(agent.port());
        assertTrue(exposition.contains(DROPS + "{reason=\"NO_SOCKET\""), exposition);
        assertTrue(exposition.lines().filter(l -> l.startsWith(DROPS + "{"))
                .noneMatch(l -> l.contains("UNKNOWN_") || l.matches(".*reason=\"\\d+\".*")), exposition);
    }

    @Test
    void selfMetricsDescribeTheProgramAndItsMap() {
        String exposition = Scrape.metrics(agent.port());
        assertEquals(1.0, Scrape.value(exposition, "bpfwatch_enabled_configs", "name=\"kfree_skb_drops\""));
        assertEquals(1.0, Scrape.value(exposition, "bpfwatch_ebpf_program_attached",
                "config=\"kfree_skb_drops\",program=\"count_drop\""));
        assertEquals(512.0, Scrape.value(exposition, "bpfwatch_ebpf_map_max_entries",
                "config=\"kfree_skb_drops\",map=\"kfree_skb_drops\""));
        assertEquals(1, Bpftool.countOwnPrograms("count_drop"));
    }

    @Test
    void landingPageAndHealth() {
        String page = Scrape.get(agent.port(), "/");
        assertTrue(page.contains("tp_btf/kfree_skb") && page.contains("kfree_skb_drops"), page);
        assertEquals("OK", Scrape.get(agent.port(), "/-/healthy").strip());
    }
}
