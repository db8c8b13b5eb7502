package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.testing.ForeignUdpReceiver;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `bpfwatch run` exports filters pinned after it started, read at scrape time. */
class UdpRateLimitModuleTest {
    @Test
    void filterAttachedAfterStartShowsUpAtTheNextScrape() throws Exception {
        String name = "test-export-" + ProcessHandle.current().pid();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)),
                List.of(UdpRateLimitModule.factory()));
             DatagramChannel receiver = DatagramChannel.open()) {
            assertFalse(Scrape.metrics(agent.port()).contains("filter=\"" + name + "\""));
            receiver.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            // 1 datagram/s after a burst of 5: 50 sent back to back (well under a second) pass exactly 5.
            ChannelFilter.attach(receiver, name, RateLimit.of(1, 5));
            Loopback.sendUdp("127.0.0.2", port, 50, 16);

            String text = Scrape.metrics(agent.port());
            Bucket b;
            try (PinnedFilter f = PinnedFilter.open(name)) {
                b = f.snapshot().bucket("127.0.0.2");
            }
            String labels = "filter=\"" + name + "\",dst_ip=\"127.0.0.2\"";
            assertEquals(b.dropped(), Scrape.value(text, "bpfwatch_udp_ratelimit_packets_total", labels + ",verdict=\"drop\""));
            assertEquals(b.passed(), Scrape.value(text, "bpfwatch_udp_ratelimit_packets_total", labels + ",verdict=\"pass\""));
            assertEquals(5, b.passed());
            assertEquals(45, b.dropped());
            assertEquals(1, Scrape.value(text, "bpfwatch_udp_ratelimit_rate_pps", "filter=\"" + name + "\""));
            assertEquals(5, Scrape.value(text, "bpfwatch_udp_ratelimit_burst", "filter=\"" + name + "\""));
            assertEquals(b.dropped(), Scrape.value(text, "bpfwatch_udp_ratelimit_totals_packets_total",
                    "filter=\"" + name + "\",verdict=\"drop\""));
            assertTrue(text.contains("bpfwatch_udp_ratelimit_tokens{" + labels + ",}")
                    || text.contains("bpfwatch_udp_ratelimit_tokens{" + labels + "}"), text);
        } finally {
            if (FilterPins.exists(name)) {
                UdpRateLimiter.detach(name, null, false);
            }
            assertFalse(FilterPins.exists(name), "pins removed");
        }
    }

    /**
     * attached_sockets comes from the kernel: 1 while the protected server
     * runs, 0 once it exited (its socket closed), though udprl_sockets still
     * records the attachment.
     */
    @Test
    void attachedSocketsFollowsTheKernelNotTheRecord() {
        String name = "test-attached-" + ProcessHandle.current().pid();
        String series = "bpfwatch_udp_ratelimit_attached_sockets{filter=\"" + name + "\",}";
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)),
                List.of(UdpRateLimitModule.factory()))) {
            try (ForeignUdpReceiver server = ForeignUdpReceiver.start()) {
                UdpRateLimiter.attach(name, UdpSockets.ofProcess(server.pid(), server.port()), RateLimit.of(10, 5));
                String text = Scrape.metrics(agent.port());
                assertTrue(text.contains(series + " 1.0\n"), text);
                server.close();
                ProcessHandle.of(server.pid()).ifPresent(p -> p.onExit().join());
            }
            String text = Scrape.metrics(agent.port());
            assertTrue(text.contains(series + " 0.0\n"), text);
            try (PinnedFilter f = PinnedFilter.open(name)) {
                assertEquals(1, f.attachments().size(), "the record stays; the kernel says it protects nothing");
            }
        } finally {
            if (FilterPins.exists(name)) {
                UdpRateLimiter.detach(name, null, false);
            }
        }
    }
}
