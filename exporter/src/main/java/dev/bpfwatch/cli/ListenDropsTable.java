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

    static String render(List<ListenerDropRate> rows, int listenersSeen, long namespaces, Duration interval) {
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
                    Long.toString(s.netns()),
                    left(InetText.endpoint(s.address(), s.port()), 21),
                    application(r.listener().owner(), s.uid())))).append('\n');
        }
        return sb.toString();
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
