package dev.bpfwatch.cli;

import dev.bpfwatch.sockets.InetText;
import dev.bpfwatch.sockets.ListenerDropRate;
import dev.bpfwatch.sockets.ListenerRecord;
import dev.bpfwatch.sockets.SocketOwner;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The listen-drops report for a terminal: one listener a line, worst first, never wider than 80 columns. */
final class ListenDropsTable {
    static final int WIDTH = 80;
    private static final String ROW = "%7s %6s %9s %-10s %-21s %s";

    private ListenDropsTable() {
    }

    /** Under the table: what the columns mean, the queue-fill column above all. */
    static final List<String> LEGEND = List.of(
            "QUEUE: connections waiting for accept() / listen() backlog; 17/16 is full: the",
            "  kernel queues backlog+1, then refuses SYNs. DROP/S: drops of a full queue per",
            "  second. DROPS: all drops (sk_drops) since the listener opened. NETNS: the",
            "  `ip netns` name, ctr: and a container id, or the namespace's inode.");

    static String render(List<ListenerDropRate> rows, int listenersSeen, long namespaces, Duration interval) {
        return render(rows, listenersSeen, namespaces, interval, false);
    }

    /** @param deferCounted whether deferred ACKs (TCP_DEFER_ACCEPT) were counted apart in this run */
    static String render(List<ListenerDropRate> rows, int listenersSeen, long namespaces, Duration interval,
                         boolean deferCounted) {
        StringBuilder sb = new StringBuilder();
        sb.append(fit(String.format(Locale.ROOT, "%d listeners in %d network namespaces, drops over %s%s",
                listenersSeen, namespaces, seconds(interval),
                rows.size() < listenersSeen ? ", worst " + rows.size() + " shown" : ""))).append('\n');
        sb.append(fit(String.format(Locale.ROOT, ROW, "DROPS", "DROP/S", "QUEUE", "NETNS", "LISTENER",
                "APPLICATION"))).append('\n');
        for (ListenerDropRate r : rows) {
            ListenerRecord s = r.listener().socket();
            sb.append(fit(String.format(Locale.ROOT, ROW,
                    compact(s.drops()),
                    rate(r.dropsPerSecond()),
                    s.acceptQueue() + "/" + s.acceptQueueMax(),
                    netns(r),
                    left(InetText.endpoint(s.address(), s.port()), 21),
                    application(r.listener().owner(), s.uid())))).append('\n');
        }
        LEGEND.forEach(l -> sb.append(l).append('\n'));
        deferNotes(sb, rows, interval, deferCounted);
        return sb.toString();
    }

    /** The deferred ACKs left out of DROP/S, or why a TCP_DEFER_ACCEPT listener's DROP/S may hold them. */
    private static void deferNotes(StringBuilder sb, List<ListenerDropRate> rows, Duration interval,
                                   boolean deferCounted) {
        if (deferCounted) {
            List<ListenerDropRate> deferred = rows.stream().filter(r -> r.deferAcceptInInterval() > 0).toList();
            if (deferred.isEmpty()) {
                return;
            }
            sb.append("Bare ACKs held back by TCP_DEFER_ACCEPT (connect without data, e.g. TCP health\n");
            sb.append("checks; no full queue), in DROPS but not in DROP/S:\n");
            for (ListenerDropRate r : deferred) {
                sb.append(fit(String.format(Locale.ROOT, "  %s in netns %s: %d in %s", r.listener().socket().endpoint(),
                        netns(r), r.deferAcceptInInterval(), seconds(interval)))).append('\n');
            }
        } else if (rows.stream().anyMatch(r -> r.listener().socket().defersAccept())) {
            sb.append("TCP_DEFER_ACCEPT listeners' DROP/S may hold bare ACKs held back (no full queue):\n");
            sb.append("this kernel cannot tell them apart (needs rx_sk in kfree_skb, Linux 6.11).\n");
        }
    }

    /** The namespace's name (its end, where names made by tools differ, cut to the column), else its inode. */
    static String netns(ListenerDropRate r) {
        String name = r.listener().netnsName();
        return name.isEmpty() ? Long.toString(r.listener().socket().netns()) : left(name, 10);
    }

    /** comm[pid] and where it runs (unit or container); the uid when no process holds the socket. */
    static String application(SocketOwner o, long uid) {
        String where = !o.container().isEmpty() ? "ctr:" + o.container().substring(0, 12)
                : o.service();
        String who = o.found() ? o.comm() + "[" + o.pid() + "]" : "(no process) uid " + uid;
        return where.isEmpty() ? who : who + " " + where;
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toNanos() / 1e9);
    }

    private static String rate(double perSecond) {
        if (perSecond >= 100_000) {
            return compact(Math.round(perSecond));
        }
        return String.format(Locale.ROOT, perSecond >= 100 ? "%.0f" : "%.1f", perSecond);
    }

    /** 1234567 -> 1.2M: counters outgrow a 7-column field on busy hosts. */
    static String compact(long n) {
        if (n < 10_000_000L) {
            return Long.toString(n);
        }
        String[] units = {"k", "M", "G", "T", "P"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, units[u]);
    }

    /** Keeps the end (the port) of a long endpoint, which is what people look for. */
    private static String left(String s, int width) {
        return s.length() <= width ? s : "~" + s.substring(s.length() - width + 1);
    }

    private static String fit(String line) {
        String l = line.stripTrailing();
        return l.length() <= WIDTH ? l : l.substring(0, WIDTH - 1) + "~";
    }
}
