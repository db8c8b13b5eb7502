package dev.bpfwatch.sockets;

import dev.bpfwatch.btf.DropReasons;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * NS_socket_drops_total{reason,netns,family,port,protocol,service,container}:
 * dropped packets by drop reason and the socket they were dropped at: its
 * network namespace (inode), address family, for inet sockets its local port
 * and protocol (TCP_LISTEN_OVERFLOW of a listener, SOCKET_RCVBUFF of a UDP
 * port), and the systemd unit or container of the process that created it
 * (from the socket's cgroup). Packets dropped before a socket was found
 * carry empty socket labels.
 *
 * <p>No process name or pid: the owner comes from the socket's cgroup,
 * which stays known after the socket is closed and bounds the series, where
 * one key per socket would grow with every connection closed with unread
 * data (QUEUE_PURGE).
 */
public final class SocketDropCollector extends Collector implements Collector.Describable {
    private static final String HELP = "Packets the kernel dropped (kfree_skb) at a socket, by drop reason "
            + "and the socket's network namespace, family, local port and protocol (inet), and creator's "
            + "systemd unit or container.";
    static final List<String> LABELS = List.of("reason", "netns", "family", "port", "protocol", "service",
            "container");

    private final String name;
    private final Supplier<Map<SocketDropKey, Long>> counts;
    private final DropReasons reasons;
    private final LongFunction<String> cgroupPath;

    /** @param cgroupPath cgroup v2 id -> its path ("" when unknown) */
    public SocketDropCollector(String namespace, Supplier<Map<SocketDropKey, Long>> counts, DropReasons reasons,
                               LongFunction<String> cgroupPath) {
        this.name = namespace + "_socket_drops";
        this.counts = counts;
        this.reasons = reasons;
        this.cgroupPath = cgroupPath;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily family = new CounterMetricFamily(name, HELP, LABELS);
        Map<List<String>, Long> rows = new TreeMap<>((a, b) -> String.join("\0", a).compareTo(String.join("\0", b)));
        counts.get().forEach((k, n) -> rows.merge(labels(k), n, Long::sum));
        rows.forEach((labels, n) -> family.addMetric(labels, n));
        return List.of(family);
    }

    private List<String> labels(SocketDropKey k) {
        String path = k.cgroupId() == 0 ? "" : cgroupPath.apply(k.cgroupId());
        return List.of(reasons.name(k.reason()), k.hasSocket() ? Long.toString(k.netns()) : "", k.familyName(),
                k.portText(), k.protocolName(), CgroupService.service(path), CgroupService.container(path));
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return List.of(new CounterMetricFamily(name, HELP, LABELS));
    }
}
