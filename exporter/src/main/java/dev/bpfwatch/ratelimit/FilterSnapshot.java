package dev.bpfwatch.ratelimit;

import dev.bpfwatch.libbpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pinned filter's state at one moment, decoded from its maps: settings,
 * per-address buckets, totals and where it is attached. Built from raw map
 * bytes so collectors and tests need no kernel.
 */
public record FilterSnapshot(String name, RateLimit defaultLimit, Map<Prefix, RateLimit> overrides,
                             List<Bucket> buckets, long passed, long dropped, long notIp,
                             List<Attachment> attachments, long nowNs, int programId) {

    /** A snapshot not tied to a loaded program (decoded from bytes alone): program id 0. */
    public FilterSnapshot(String name, RateLimit defaultLimit, Map<Prefix, RateLimit> overrides,
                          List<Bucket> buckets, long passed, long dropped, long notIp,
                          List<Attachment> attachments, long nowNs) {
        this(name, defaultLimit, overrides, buckets, passed, dropped, notIp, attachments, nowNs, 0);
    }

    /** The same state, knowing the kernel id of the filter's program (what sockets carry). */
    FilterSnapshot withProgramId(int id) {
        return new FilterSnapshot(name, defaultLimit, overrides, buckets, passed, dropped, notIp, attachments, nowNs, id);
    }

    /**
     * @param totals      udprl_totals' value as a per-CPU lookup returns it: one
     *                    24-byte slot per possible CPU, {@code totalsStride} apart
     */
    public static FilterSnapshot decode(String name, byte[] config, List<BpfMap.Entry> overrides,
                                        List<BpfMap.Entry> buckets, byte[] totals, int totalsStride,
                                        List<BpfMap.Entry> attachments, long nowNs) {
        Map<Prefix, RateLimit> o = new LinkedHashMap<>();
        for (BpfMap.Entry e : overrides) {
            o.put(Prefix.decode(e.key()), RateLimit.decode(e.value()));
        }
        List<Bucket> b = new ArrayList<>();
        for (BpfMap.Entry e : buckets) {
            b.add(Bucket.decode(e.key(), e.value()));
        }
        ByteBuffer t = ByteBuffer.wrap(totals).order(ByteOrder.nativeOrder());
        long passed = 0;
        long dropped = 0;
        long notIp = 0;
        for (int off = 0; off + 24 <= totals.length; off += totalsStride) {
            passed += t.getLong(off);
            dropped += t.getLong(off + 8);
            notIp += t.getLong(off + 16);
        }
        List<Attachment> a = new ArrayList<>();
        for (BpfMap.Entry e : attachments) {
            a.add(Attachment.decode(e.key(), e.value()));
        }
        a.sort(Comparator.comparingLong(Attachment::pid).thenComparingInt(Attachment::fd));
        return new FilterSnapshot(name, RateLimit.decode(config), o, b, passed, dropped, notIp, a, nowNs);
    }

    /** The limit the program applies to this address: the longest matching override, else the default. */
    public RateLimit limitFor(byte[] address) {
        RateLimit best = defaultLimit;
        int bestLength = -1;
        for (Map.Entry<Prefix, RateLimit> e : overrides.entrySet()) {
            if (e.getKey().length() > bestLength && e.getKey().contains(address)) {
                best = e.getValue();
                bestLength = e.getKey().length();
            }
        }
        return best;
    }

    /** Buckets ordered as operators look at them: most drops first, then most passes. */
    public List<Bucket> bucketsByDrops() {
        List<Bucket> sorted = new ArrayList<>(buckets);
        sorted.sort(Comparator.comparingLong(Bucket::dropped).reversed()
                .thenComparing(Comparator.comparingLong(Bucket::passed).reversed())
                .thenComparing(Bucket::dstIp));
        return sorted;
    }

    public Bucket bucket(String dstIp) {
        byte[] key = Addresses.mapped(Addresses.parseLiteral(dstIp));
        return buckets.stream().filter(b -> java.util.Arrays.equals(b.address(), key)).findFirst().orElse(null);
    }
}
