package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bpfwatch.libbpf.BpfMap;
import io.prometheus.client.CollectorRegistry;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The collector fed with map bytes as the kernel lays them out: no kernel needed. */
class UdpRateLimitCollectorTest {
    static final long NOW = 5_000_000_000_000L;
    static final long T = 1_000_000; // 1000 pps

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    static byte[] addr(String ip) throws Exception {
        return Addresses.mapped(InetAddress.getByName(ip));
    }

    static BpfMap.Entry bucket(String ip, long tat, long passed, long dropped) throws Exception {
        return new BpfMap.Entry(addr(ip), le(24).putLong(tat).putLong(passed).putLong(dropped).array());
    }

    static FilterSnapshot snapshot() throws Exception {
        byte[] config = new RateLimit(1000, 100).encode();
        List<BpfMap.Entry> overrides = List.of(new BpfMap.Entry(Prefix.parse("10.0.0.0/24").encode(),
                new RateLimit(10, 5).encode()));
        List<BpfMap.Entry> buckets = List.of(
                bucket("127.0.0.2", NOW + 50 * T, 10, 500), // half the burst spent
                bucket("::1", 0, 5, 0),
                bucket("10.0.0.1", 0, 1, 7)); // idle: full burst of its override
        // Two CPUs, 24-byte slots: passed, dropped, not_ip.
        byte[] totals = le(48).putLong(10).putLong(300).putLong(1).putLong(6).putLong(207).putLong(2).array();
        List<BpfMap.Entry> sockets = List.of(new BpfMap.Entry(new Attachment(77, 1234, 5, 53).key(),
                new Attachment(77, 1234, 5, 53).value()));
        return FilterSnapshot.decode("dns", config, overrides, buckets, totals, 24, sockets, NOW);
    }

    @Test
    void decodesEveryMap() throws Exception {
        FilterSnapshot s = snapshot();
        assertEquals(new RateLimit(1000, 100), s.defaultLimit());
        assertEquals(16, s.passed());
        assertEquals(507, s.dropped());
        assertEquals(3, s.notIp());
        assertEquals(List.of(new Attachment(77, 1234, 5, 53)), s.attachments());
        assertEquals(new RateLimit(10, 5), s.limitFor(addr("10.0.0.1")));
        assertEquals(new RateLimit(1000, 100), s.limitFor(addr("10.0.1.1")));
        assertEquals("10.0.0.0/24", s.overrides().keySet().iterator().next().toString());
    }

    @Test
    void topAddressesByDropsTheRestAsOther() throws Exception {
        CollectorRegistry r = new CollectorRegistry();
        new UdpRateLimitCollector("bpfwatch", () -> List.of(uncheckedSnapshot()), 2).register(r);
        String packets = "bpfwatch_udp_ratelimit_packets_total";
        String[] l = {"filter", "dst_ip", "verdict"};
        assertEquals(500, r.getSampleValue(packets, l, new String[] {"dns", "127.0.0.2", "drop"}));
        assertEquals(10, r.getSampleValue(packets, l, new String[] {"dns", "127.0.0.2", "pass"}));
        assertEquals(7, r.getSampleValue(packets, l, new String[] {"dns", "10.0.0.1", "drop"}));
        assertEquals(5, r.getSampleValue(packets, l, new String[] {"dns", "other", "pass"}), "::1 summed as other");
        assertEquals(0, r.getSampleValue(packets, l, new String[] {"dns", "other", "drop"}));
        assertNull(r.getSampleValue(packets, l, new String[] {"dns", "::1", "pass"}));

        String tokens = "bpfwatch_udp_ratelimit_tokens";
        assertEquals(50, r.getSampleValue(tokens, new String[] {"filter", "dst_ip"}, new String[] {"dns", "127.0.0.2"}));
        assertEquals(5, r.getSampleValue(tokens, new String[] {"filter", "dst_ip"}, new String[] {"dns", "10.0.0.1"}),
                "an idle bucket holds its override's full burst");

        String totals = "bpfwatch_udp_ratelimit_totals_packets_total";
        assertEquals(16, r.getSampleValue(totals, new String[] {"filter", "verdict"}, new String[] {"dns", "pass"}));
        assertEquals(507, r.getSampleValue(totals, new String[] {"filter", "verdict"}, new String[] {"dns", "drop"}));
        assertEquals(1000, r.getSampleValue("bpfwatch_udp_ratelimit_rate_pps", new String[] {"filter"}, new String[] {"dns"}));
        assertEquals(100, r.getSampleValue("bpfwatch_udp_ratelimit_burst", new String[] {"filter"}, new String[] {"dns"}));
    }

    @Test
    void ipv6PrintsCompressedAndIpv4Plain() throws Exception {
        assertEquals("::1", Addresses.format(addr("::1")));
        assertEquals("fd00::2", Addresses.format(addr("fd00::2")));
        assertEquals("127.0.0.2", Addresses.format(addr("127.0.0.2")));
        assertEquals("2001:db8:0:1::5", Addresses.format(addr("2001:db8:0:1:0:0:0:5")));
    }

    @Test
    void registeringReadsNothing() {
        CollectorRegistry r = new CollectorRegistry();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        new UdpRateLimitCollector("bpfwatch", () -> {
            reads.incrementAndGet();
            return List.of();
        }, 20).register(r);
        assertEquals(0, reads.get(), "filter reads at registration");
        r.metricFamilySamples();
        assertEquals(1, reads.get(), "filter reads for one scrape");
    }

    @Test
    void tokensFollowTheProgramsRule() {
        RateLimit limit = new RateLimit(1000, 100);
        assertEquals(100, new Bucket(new byte[16], 0, 0, 0).tokens(limit, NOW), "idle: full burst");
        assertEquals(0, new Bucket(new byte[16], NOW + 100 * T, 0, 0).tokens(limit, NOW), "burst spent");
        assertEquals(1, new Bucket(new byte[16], NOW + 99 * T, 0, 0).tokens(limit, NOW), "one interval back");
        assertEquals(100, new Bucket(new byte[16], NOW - 10 * T, 0, 0).tokens(limit, NOW), "never above burst");
    }

    private static FilterSnapshot uncheckedSnapshot() {
        try {
            return snapshot();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
