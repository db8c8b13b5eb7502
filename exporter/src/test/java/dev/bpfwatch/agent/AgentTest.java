package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Kernel event -> map -> HTTP scrape, the whole way. */
class AgentTest {

    @Test
    void scrapeShowsDropsMadeOnLoopbackAndCloseUnloads() {
        try (Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "bpfwatch")) {
            String series = "bpfwatch_kfree_skb_drops_total";
            double before = Scrape.value(Scrape.metrics(agent.port()), series, "reason=\"NO_SOCKET\"");
            Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 100, 8);
            String exposition = Scrape.metrics(agent.port());
            double after = Scrape.value(exposition, series, "reason=\"NO_SOCKET\"");
            assertTrue(after - before >= 100, "rose by " + (after - before) + " in:\n" + exposition);
            assertTrue(exposition.contains("# TYPE bpfwatch_kfree_skb_drops_total counter")
                    || exposition.contains("# TYPE bpfwatch_kfree_skb_drops counter"), exposition);
            assertEquals(1, Bpftool.countPrograms("count_drop"));
        }
        assertEquals(0, Bpftool.awaitProgramsGone("count_drop"), "closing the agent unloads its programs");
    }
}
