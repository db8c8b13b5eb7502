package dev.bpfwatch.cli;

import dev.bpfwatch.sockets.InetText;
import dev.bpfwatch.sockets.ListenerDropRate;
import dev.bpfwatch.sockets.ListenerRecord;
import dev.bpfwatch.sockets.SocketOwner;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The listen-drops report for scripts: one JSON object per report (one line each, so --watch is NDJSON). */
final class ListenDropsJson {
    private ListenDropsJson() {
    }

    static String render(List<ListenerDropRate> rows, int listenersSeen, long namespaces, Duration interval) {
        return render(rows, listenersSeen, namespaces, interval, false);
    }

    /**
     * @param deferCounted whether deferred ACKs were counted apart; when not, defer_accept_drops_in_interval
     *                     is null for TCP_DEFER_ACCEPT listeners (unknown), 0 for the others
     */
    static String render(List<ListenerDropRate> rows, int listenersSeen, long namespaces, Duration interval,
                         boolean deferCounted) {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "interval_seconds", String.format(Locale.ROOT, "%.3f", interval.toNanos() / 1e9)).append(',');
        field(sb, "listeners_seen", Integer.toString(listenersSeen)).append(',');
        field(sb, "network_namespaces", Long.toString(namespaces)).append(",\"listeners\":[");
        for (int i = 0; i < rows.size(); i++) {
            ListenerDropRate r = rows.get(i);
            ListenerRecord s = r.listener().socket();
            SocketOwner o = r.listener().owner();
            sb.append(i == 0 ? "{" : ",{");
            field(sb, "netns", Long.toString(s.netns())).append(',');
            field(sb, "netns_name", quote(r.listener().netnsName())).append(',');
            field(sb, "address", quote(InetText.of(s.address()))).append(',');
            field(sb, "port", Integer.toString(s.port())).append(',');
            field(sb, "drops", Long.toString(s.drops())).append(',');
            field(sb, "drops_in_interval", Long.toString(r.dropsInInterval())).append(',');
            field(sb, "defer_accept_drops_in_interval", !deferCounted && s.defersAccept() ? "null"
                    : Long.toString(r.deferAcceptInInterval())).append(',');
            field(sb, "drops_per_second", String.format(Locale.ROOT, "%.3f", r.dropsPerSecond())).append(',');
            field(sb, "accept_queue", Long.toString(s.acceptQueue())).append(',');
            field(sb, "accept_queue_max", Long.toString(s.acceptQueueMax())).append(',');
            field(sb, "syn_queue", Long.toString(s.synQueue())).append(',');
            field(sb, "defer_accept", Boolean.toString(s.defersAccept())).append(',');
            field(sb, "comm", quote(o.comm())).append(',');
            field(sb, "pid", o.found() ? Integer.toString(o.pid()) : "null").append(',');
            field(sb, "service", quote(o.service())).append(',');
            field(sb, "container", quote(o.container())).append(',');
            field(sb, "uid", Long.toString(s.uid())).append(',');
            field(sb, "inode", Long.toString(s.inode())).append(',');
            field(sb, "cgroup_id", Long.toString(s.cgroupId())).append('}');
        }
        return sb.append("]}\n").toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, String jsonValue) {
        return sb.append('"').append(name).append("\":").append(jsonValue);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
