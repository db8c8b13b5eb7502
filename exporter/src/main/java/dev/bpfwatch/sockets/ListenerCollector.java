package dev.bpfwatch.sockets;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per-listener TCP metrics, read at every scrape:
 * NS_tcp_listen_drops_total, NS_tcp_accept_queue_length,
 * NS_tcp_accept_queue_max and NS_tcp_syn_queue_length, labelled by where the
 * listener is (netns, address, port) and who owns it (comm, pid, service,
 * container, uid).
 */
public final class ListenerCollector extends Collector implements Collector.Describable {
    static final List<String> LABELS = List.of("netns", "address", "port", "comm", "pid", "service", "container", "uid");

    private final String prefix;
    private final Supplier<List<Listener>> listeners;

    public ListenerCollector(String namespace, Supplier<List<Listener>> listeners) {
        this.prefix = namespace + "_tcp_";
        this.listeners = listeners;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        // SO_REUSEPORT listeners of one process share every label: sum them, never emit a series twice.
        Map<List<String>, long[]> rows = new LinkedHashMap<>();
        for (Listener l : listeners.get()) {
            long[] sums = rows.computeIfAbsent(labels(l), k -> new long[4]);
            sums[0] += l.socket().drops();
            sums[1] += l.socket().acceptQueue();
            sums[2] += l.socket().acceptQueueMax();
            sums[3] += l.socket().synQueue();
        }
        List<MetricFamilySamples> families = families();
        rows.forEach((labels, sums) -> {
            for (int i = 0; i < 4; i++) {
                MetricFamilySamples f = families.get(i);
                if (f instanceof CounterMetricFamily c) {
                    c.addMetric(labels, sums[i]);
                } else {
                    ((GaugeMetricFamily) f).addMetric(labels, sums[i]);
                }
            }
        });
        return families;
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return families();
    }

    private List<MetricFamilySamples> families() {
        List<MetricFamilySamples> f = new ArrayList<>();
        f.add(new CounterMetricFamily(prefix + "listen_drops",
                "Packets this listener dropped (its sk_drops): every tcp_listendrop() - SYNs and third ACKs "
                        + "refused, its share of TcpExtListenDrops - plus packets discarded for its request sockets.",
                LABELS));
        f.add(new GaugeMetricFamily(prefix + "accept_queue_length",
                "Established connections waiting for accept().", LABELS));
        f.add(new GaugeMetricFamily(prefix + "accept_queue_max",
                "Accept queue limit: the listen() backlog, capped by net.core.somaxconn.", LABELS));
        f.add(new GaugeMetricFamily(prefix + "syn_queue_length",
                "Half-open connections (request sockets) waiting for the client's ACK.", LABELS));
        return f;
    }

    static List<String> labels(Listener l) {
        ListenerRecord s = l.socket();
        SocketOwner o = l.owner();
        return List.of(Long.toString(s.netns()), InetText.of(s.address()), Integer.toString(s.port()),
                o.comm(), o.found() ? Integer.toString(o.pid()) : "", o.service(), o.container(),
                Long.toString(s.uid()));
    }
}
