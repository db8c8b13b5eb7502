package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.Loopback;
import io.prometheus.client.Collector;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-destination series of a real filter, limited to the top 2, never
 * go down while the most-dropped destinations change every round, across
 * reloads and restarts of the agent. The old collector re-ranked by drops at
 * each scrape, so other's passed count fell whenever a destination that had
 * passed many datagrams moved into the top.
 */
class UdpTopMonotonicTest {
    private static final int LIVES = 4;
    private static final int ROUNDS = 8;
    private final String name = "test-topmono-" + ProcessHandle.current().pid();
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-udptop-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        if (FilterPins.exists(name)) {
            UdpRateLimiter.detach(name, null, false);
        }
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    @Test
    void perDestinationSeriesNeverGoDown() throws Exception {
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(null, List.of(UdpRateLimitModule.NAME)).withPinPath(pins);
        Map<String, Double> last = new HashMap<>();
        List<String> decreases = new ArrayList<>();
        int scrapes = 0;
        try (DatagramChannel receiver = DatagramChannel.open()) {
            receiver.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            ChannelFilter.attach(receiver, name, RateLimit.of(1000, 1));
            for (int life = 0; life < LIVES; life++) {
                try (Agent agent = Agent.start(options, List.of(UdpRateLimitModule.factory(2)))) {
                    for (int round = 0; round < ROUNDS; round++) {
                        if (round == ROUNDS / 2) {
                            assertNull(agent.reload(), "reload");
                        }
                        // Each round one destination gets a slow trickle (all passed, while it sits in
                        // "other") and another a flood (mostly dropped), in turn over 127.0.0.2 .. 127.0.0.7:
                        // so destinations with many passes move into the top-2 by drops.
                        int r = life * ROUNDS + round;
                        for (int i = 0; i < 3 + r; i++) {
                            Loopback.sendUdp("127.0.0." + (2 + r % 6), port, 1, 8);
                            Thread.sleep(3);
                        }
                        scrapes += record(agent, last, decreases, scrapes);
                        Loopback.sendUdp("127.0.0." + (2 + (r + 4) % 6), port, 100 + 10 * r, 8);
                        scrapes += record(agent, last, decreases, scrapes);
                    }
                }
            }
        }
        System.out.println("UdpTopMonotonicTest: " + scrapes + " scrapes, " + LIVES + " agent starts, "
                + last.size() + " series, " + decreases.size() + " decreases");
        decreases.stream().limit(10).forEach(System.out::println);
        assertTrue(last.containsKey("other/drop"), "nothing folded into other: " + last.keySet());
        assertEquals(6, last.size(), "two destinations and other, pass and drop each: " + last.keySet());
        assertEquals(List.of(), decreases);
    }

    /** One scrape: each series' value against its last. */
    private int record(Agent agent, Map<String, Double> last, List<String> decreases, int scrapes) {
        for (Map.Entry<String, Double> e : packets(agent).entrySet()) {
            Double before = last.put(e.getKey(), e.getValue());
            if (before != null && e.getValue() < before) {
                decreases.add("scrape " + (scrapes + 1) + ": " + e.getKey() + " " + before + " -> " + e.getValue());
            }
        }
        return 1;
    }

    /** This filter's packets series: dst_ip/verdict -> value. */
    private Map<String, Double> packets(Agent agent) {
        Map<String, Double> out = new HashMap<>();
        for (Collector.MetricFamilySamples f : Collections.list(agent.registry().metricFamilySamples())) {
            for (Collector.MetricFamilySamples.Sample s : f.samples) {
                if (s.name.equals("bpfwatch_udp_ratelimit_packets_total") && s.labelValues.get(0).equals(name)) {
                    out.put(s.labelValues.get(1) + "/" + s.labelValues.get(2), s.value);
                }
            }
        }
        return out;
    }
}
