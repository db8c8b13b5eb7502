package dev.bpfwatch.sockets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        return between(before, after, interval, Optional.empty(), Optional.empty());
    }

    /**
     * @param deferBefore deferred-ACK drops per listener read after the first walk; empty where not counted
     * @param deferAfter  the same, read after the second walk
     */
    public static List<ListenerDropRate> between(List<Listener> before, List<Listener> after, Duration interval,
                                                 Optional<Map<ListenerId, Long>> deferBefore,
                                                 Optional<Map<ListenerId, Long>> deferAfter) {
        Map<String, Long> dropsBefore = new HashMap<>();
        before.forEach(l -> dropsBefore.put(l.key(), l.socket().drops()));
        double seconds = Math.max(interval.toNanos(), 1) / 1e9;
        List<ListenerDropRate> out = new ArrayList<>(after.size());
        for (Listener l : after) {
            // sk_drops is a u32 that wraps: a smaller number later means it went round.
            long delta = (l.socket().drops() - dropsBefore.getOrDefault(l.key(), 0L)) & 0xffffffffL;
            long deferred = 0;
            if (l.socket().defersAccept() && deferAfter.isPresent()) {
                ListenerId id = l.socket().id();
                deferred = Math.min(delta, Math.max(0, deferAfter.get().getOrDefault(id, 0L)
                        - deferBefore.map(m -> m.getOrDefault(id, 0L)).orElse(0L)));
            }
            out.add(new ListenerDropRate(l, delta, deferred, (delta - deferred) / seconds));
        }
        out.sort(WORST_FIRST);
        return out;
    }
}
