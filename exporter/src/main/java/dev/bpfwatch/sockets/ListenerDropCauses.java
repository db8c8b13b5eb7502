package dev.bpfwatch.sockets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits each listener's sk_drops by cause, for the reason label of
 * NS_tcp_listen_drops_total:
 * <ul>
 * <li>{@value #DEFER_ACCEPT}: bare ACKs held back by TCP_DEFER_ACCEPT (the kernel's
 *     TCPDeferAcceptDrop, e.g. a TCP-connect health check), counted by socket_drops.bpf.c;</li>
 * <li>{@value #QUEUE_FULL}: the rest, every tcp_listendrop() (SYN or third ACK refused because the
 *     accept or SYN queue is full, the listener's share of TcpExtListenDrops), plus the rare other
 *     packets discarded for its request sockets (a client's RST to a half-open connection);</li>
 * <li>{@value #UNKNOWN}: all drops of a listener with TCP_DEFER_ACCEPT where deferred ACKs cannot be
 *     counted (kernels before 6.11, whose kfree_skb has no rx_sk, or socket_drops did not load); and
 *     where they can, the drops such a listener had when the agent first saw it, since deferred ACKs
 *     are counted only from the agent's start (so a restart never shows old ones as a full queue).</li>
 * </ul>
 * The deferred ACKs are read just after the walk that read sk_drops, so a drop
 * landing between the two can make the difference briefly too small: the
 * queue_full count never goes below what it showed before, so the counter
 * never runs backwards, and is exact again once the listener is quiet.
 */
public final class ListenerDropCauses {
    public static final String QUEUE_FULL = "queue_full";
    public static final String DEFER_ACCEPT = "defer_accept";
    public static final String UNKNOWN = "unknown";
    /** A queue_full count this far below the last one is a wrapped u32 sk_drops, not a race. */
    private static final long WRAP = 1L << 31;

    private Map<String, Long> lastQueueFull = new HashMap<>();
    /** Listener key -> its drops of unknown cause, from before deferred ACKs were counted. */
    private Map<String, Long> before = new HashMap<>();
    private boolean firstSplit = true;

    /** reason -> drops for each listener, in the order given. */
    public synchronized List<Map<String, Long>> split(List<Listener> listeners) {
        Map<String, Long> seen = new HashMap<>();
        Map<String, Long> stillBefore = new HashMap<>();
        List<Map<String, Long>> out = new ArrayList<>(listeners.size());
        for (Listener l : listeners) {
            ListenerRecord s = l.socket();
            Map<String, Long> causes = new LinkedHashMap<>();
            if (!s.defersAccept()) {
                causes.put(QUEUE_FULL, s.drops());
            } else if (l.deferAcceptDrops().isEmpty()) {
                causes.put(UNKNOWN, s.drops());
            } else {
                long deferred = l.deferAcceptDrops().getAsLong();
                // Listeners of the first walk may have dropped before the counter was attached; a listener
                // first seen later was made after it, so all its deferred ACKs were counted.
                long unknown = firstSplit ? Math.max(0, (int) (s.drops() - deferred)) : before.getOrDefault(l.key(), 0L);
                if (firstSplit || before.containsKey(l.key())) {
                    stillBefore.put(l.key(), unknown);
                }
                long queueFull = Math.max(0, (int) (s.drops() - deferred - unknown)); // sk_drops is a u32
                Long last = lastQueueFull.get(l.key());
                if (last != null && queueFull < last && last - queueFull < WRAP) {
                    queueFull = last;
                }
                seen.put(l.key(), queueFull);
                causes.put(QUEUE_FULL, queueFull);
                causes.put(DEFER_ACCEPT, deferred);
                if (stillBefore.containsKey(l.key())) {
                    causes.put(UNKNOWN, unknown);
                }
            }
            out.add(causes);
        }
        lastQueueFull = seen; // only live listeners: bounded by the listeners there are
        before = stillBefore;
        firstSplit = false;
        return out;
    }
}
