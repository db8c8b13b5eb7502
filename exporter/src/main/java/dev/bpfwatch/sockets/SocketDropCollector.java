package dev.bpfwatch.sockets;

import dev.bpfwatch.btf.DropReasons;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * NS_socket_drops_total{reason,port,protocol}: dropped packets by drop
 * reason and by the local port and protocol of the socket they were dropped
 * at (TCP_LISTEN_OVERFLOW of a listener, SOCKET_RCVBUFF of a UDP port).
 * Packets dropped before a socket was found carry empty port and protocol.
 */
public final class SocketDropCollector extends Collector implements Collector.Describable {
    private static final String HELP = "Packets the kernel dropped (kfree_skb) at a socket, by drop reason "
            + "and the socket's local port and protocol.";
    private static final List<String> LABELS = List.of("reason", "port", "protocol");

    private final String name;
    private final Supplier<Map<SocketDropKey, Long>> counts;
    private final DropReasons reasons;

    public SocketDropCollector(String namespace, Supplier<Map<SocketDropKey, Long>> counts, DropReasons reasons) {
        this.name = namespace + "_socket_drops";
        this.counts = counts;
        this.reasons = reasons;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily family = new CounterMetricFamily(name, HELP, LABELS);
        Map<List<String>, Long> rows = new TreeMap<>((a, b) -> String.join("\0", a).compareTo(String.join("\0", b)));
        counts.get().forEach((k, n) -> rows.merge(List.of(reasons.name(k.reason()),
                k.port() == 0 && k.protocol() == 0 ? "" : Integer.toString(k.port()), k.protocolName()), n, Long::sum));
        rows.forEach((labels, n) -> family.addMetric(labels, n));
        return List.of(family);
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return List.of(new CounterMetricFamily(name, HELP, LABELS));
    }
}
