package dev.bpfwatch.bench;

import java.util.List;

/** The closing note: for every target missed in this run, what limits it and what would move it. */
final class Closing {
    private Closing() {
    }

    static void write(Report r, List<MapScrapeBench.Result> maps, double[] events, double[] udp, double[] listen,
                      double[] foot, int soak) {
        int missed = 0;
        if (maps != null) {
            for (MapScrapeBench.Result m : maps) {
                if (m.n() == 100_000 && m.read() > 2 * m.floorBatch()) {
                    missed++;
                    r.closing(String.format("**Map read at 100k (%.2fx the C floor, target 2x).** The kernel's copy-out "
                            + "is the same for both and the two take turns; Java's share is one jnr-ffi call per "
                            + "batch of 4096 and a copy of each batch out of native memory into the packed arrays, "
                            + "which the C floor reads in place. Moving it: copy straight into the arrays the read "
                            + "hands out (a native buffer per map kept between reads), or a larger chunk.", m.read() / m.floorBatch()));
                }
                if (m.read() > 0.5 * m.floorKeys()) {
                    missed++;
                    r.closing(String.format("**Read vs key by key at %s (%.2fx).** With few entries the fixed cost of a "
                            + "read (buffers, a syscall or two, the JNI transition) is a large share; it shrinks as the "
                            + "map grows.", MapScrapeBench.label(m.n()), m.read() / m.floorKeys()));
                }
            }
        }
        if (events != null && events[0] > 2 * events[2]) {
            missed++;
            r.closing(String.format("**kfree_skb_drops per event (%.1f ns, %.2fx the empty program, target 2x).** The "
                    + "empty program measures only the trampoline and stats bookkeeping; the counter adds a per-CPU "
                    + "array index (core reasons) and an increment, which the verifier inlines. A miss here points "
                    + "at noise or at subsystem reasons, which take the per-CPU hash.", events[0],
                    events[0] / events[2]));
        }
        if (udp != null) {
            if (udp[5] < 0.9) {
                missed++;
                r.closing(String.format("**UDP filter throughput (%.1f%% of bare, target 90%%).** On loopback the "
                        + "filter runs in the sender's softirq, so every ns it adds per packet comes off a sender "
                        + "that is already the bottleneck: %.1f ns per packet (empty filter %.1f ns) against a "
                        + "per-packet budget of about %.0f ns at the bare rate. Already done: one header load per "
                        + "packet, and no trie lookup while a filter has no overrides. Left per packet: the LRU "
                        + "bucket lookup, bpf_ktime_get_ns, the compare-and-swap on the bucket and three atomic "
                        + "adds; the throughput ratio also moves by several points between runs on this shared "
                        + "machine.", 100 * udp[5], udp[2], udp[3], 1e9 / udp[0]));
            }
            if (udp[4] != 0) {
                missed++;
                r.closing("**Legitimate loss under a flood.** Loss with the filter on means the receive buffer or "
                        + "the paced sender's own socket overflowed while the flood filled the loopback path: the "
                        + "filter runs after the IP layer, so it cannot protect the softirq backlog; XDP on a real "
                        + "interface could.");
            }
        }
        if (listen != null && listen[1] >= listen[2]) {
            missed++;
            r.closing(String.format("**Warm listen-drop scrape (%.0f ms vs ss %.0f ms).** The warm scan still walks "
                    + "every namespace on the host and reads /proc to find namespaces; ss only reads one. Moving it: "
                    + "cache the namespace list between scrapes and decode records without per-record objects.",
                    listen[1] / 1e6, listen[2] / 1e6));
        }
        if (foot != null) {
            if (foot[0] > 2000) {
                missed++;
                r.closing(String.format("**Start to first scrape (%.0f ms, target 2 s).** Most of it is the JVM "
                        + "starting and loading classes on a busy 2-core machine, plus the feature probe (one program "
                        + "loaded per attach type) and verifying every bundled program. Moving it: AppCDS "
                        + "(-XX:SharedArchiveFile) for class loading, probing lazily after the server is up.",
                        foot[0]));
            }
            if (foot[1] > 150 * 1024) {
                missed++;
                r.closing(String.format("**RSS (%.0f MB, target 150 MB).** Heap is bounded by MaxRAM; the rest is "
                        + "metaspace, code cache, thread stacks and jnr-ffi's generated classes. Moving it: cap "
                        + "-Xmx and the code cache, C1 only (-XX:TieredStopAtLevel=1).", foot[1] / 1024));
            }
        }
        if (missed == 0) {
            r.closing("Every target was met in this run.");
        }
        if (soak != 600) {
            r.closing("The memory soak ran " + soak + " s in this run instead of the 10 minutes the target names "
                    + "(`SOAK_SECONDS`).");
        }
    }
}
