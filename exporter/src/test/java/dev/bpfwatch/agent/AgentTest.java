package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded default config, the whole way: kernel event -> map -> decoders -> HTTP scrape. */
class AgentTest {
    private static final String DROPS = "bpfwatch_kfree_skb_drops_total";
    private static Agent agent;

    @BeforeAll
    static void start() {
        agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)), java.util.List.of());
    }

    @AfterAll
    static void stop() {
        agent.close();
        assertEquals(0, Bpftool.countOwnPrograms("count_drop"), "closing the agent releases its programs");
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
        double before = dropsSoFar("NO_SOCKET");
        Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 250, 16);
        double after = drops("NO_SOCKET");
        assertTrue(after - before >= 250, "NO_SOCKET rose by " + (after - before) + ", sent 250");
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

    @Test
    void onlyReasonsThatDroppedSomethingAreSeries() {
        // Core reasons live in a 512-slot array; skip_zeros keeps the idle ones out.
        Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 1, 1);
        java.util.List<String> series = Scrape.metrics(agent.port()).lines().filter(l -> l.startsWith(DROPS + "{")).toList();
        assertTrue(!series.isEmpty() && series.size() < 128, series.toString());
        assertTrue(series.stream().noneMatch(l -> l.endsWith(" 0.0")), series.toString());
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
