package dev.bpfwatch.sockets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A listener with how fast it dropped over an interval: what the person on
 * call sorts by. A listener that appeared during the interval counts all
 * its drops in it.
 *
 * @param dropsInInterval       every drop in the interval (sk_drops)
 * @param deferAcceptInInterval of those, bare ACKs held back by TCP_DEFER_ACCEPT (no overload)
 * @param dropsPerSecond        the others per second: a full accept or SYN queue (or, where deferred ACKs
 *                              cannot be counted, both of a TCP_DEFER_ACCEPT listener)
 */
public record ListenerDropRate(Listener listener, long dropsInInterval, long deferAcceptInInterval,
                               double dropsPerSecond) {

    public ListenerDropRate(Listener listener, long dropsInInterval, double dropsPerSecond) {
        this(listener, dropsInInterval, 0, dropsPerSecond);
    }

    /** Worst first: by drops per second, then by drops in total. */
    public static final Comparator<ListenerDropRate> WORST_FIRST =
            Comparator.comparingDouble(ListenerDropRate::dropsPerSecond).reversed()
                    .thenComparing(Comparator.comparingLong((ListenerDropRate r) -> r.listener().socket().drops())
                            .reversed())
                    .thenComparing(r -> r.listener().socket().endpoint());

    public static List<ListenerDropRate> between(List<Listener> before, List<Listener> after, Duration interval) {
        Map<String, Long> dropsBefore = new HashMap<>();
        Map<String, Long> deferBefore = new HashMap<>();
        before.forEach(l -> {
            dropsBefore.put(l.key(), l.socket().drops());
            l.deferAcceptDrops().ifPresent(n -> deferBefore.put(l.key(), n));
        });
        double seconds = Math.max(interval.toNanos(), 1) / 1e9;
        List<ListenerDropRate> out = new ArrayList<>(after.size());
        for (Listener l : after) {
            // sk_drops is a u32 that wraps: a smaller number later means it went round.
            long delta = (l.socket().drops() - dropsBefore.getOrDefault(l.key(), 0L)) & 0xffffffffL;
            long deferred = 0;
            if (l.socket().defersAccept() && l.deferAcceptDrops().isPresent()) {
                deferred = Math.min(delta, Math.max(0, l.deferAcceptDrops().getAsLong()
                        - deferBefore.getOrDefault(l.key(), 0L)));
            }
            out.add(new ListenerDropRate(l, delta, deferred, (delta - deferred) / seconds));
        }
        out.sort(WORST_FIRST);
        return out;
    }
}
