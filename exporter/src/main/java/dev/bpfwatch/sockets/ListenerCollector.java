package dev.bpfwatch.sockets;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Per-listener TCP metrics, read at every scrape:
 * NS_tcp_listen_drops_total (by reason, see {@link ListenerDropCauses}),
 * NS_tcp_accept_queue_length, NS_tcp_accept_queue_max and
 * NS_tcp_syn_queue_length, labelled by where the listener is (netns,
 * address, port) and who owns it (comm, pid, service, container, uid);
 * and NS_netns_info{netns,name} 1 for each namespace with listeners that
 * has a name (`ip netns`) or a container hint (ctr:ID), to join on netns.
 */
public final class ListenerCollector extends Collector implements Collector.Describable {
    static final List<String> LABELS = List.of("netns", "address", "port", "comm", "pid", "service", "container", "uid");
    static final List<String> DROP_LABELS = withReason();

    private final String prefix;
    private final String netnsInfo;
    private final Supplier<List<Listener>> listeners;
    private final ListenerDropCauses causes = new ListenerDropCauses();

    public ListenerCollector(String namespace, Supplier<List<Listener>> listeners) {
        this.prefix = namespace + "_tcp_";
        this.netnsInfo = namespace + "_netns_info";
        this.listeners = listeners;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<Listener> walked = listeners.get();
        List<Map<String, Long>> byCause = causes.split(walked);
        // SO_REUSEPORT listeners of one process share every label: sum them, never emit a series twice.
        Map<List<String>, long[]> rows = new LinkedHashMap<>();
        Map<List<String>, Long> drops = new LinkedHashMap<>();
        Map<String, String> names = new TreeMap<>();
        for (int i = 0; i < walked.size(); i++) {
            Listener l = walked.get(i);
            if (!l.netnsName().isEmpty()) {
                names.put(Long.toString(l.socket().netns()), l.netnsName());
            }
            List<String> labels = labels(l);
            long[] sums = rows.computeIfAbsent(labels, k -> new long[3]);
            sums[0] += l.socket().acceptQueue();
            sums[1] += l.socket().acceptQueueMax();
            sums[2] += l.socket().synQueue();
            byCause.get(i).forEach((reason, n) -> {
                List<String> withReason = new ArrayList<>(labels);
                withReason.add(reason);
                drops.merge(withReason, n, Long::sum);
            });
        }
        List<MetricFamilySamples> families = families();
        CounterMetricFamily dropFamily = (CounterMetricFamily) families.get(0);
        drops.forEach(dropFamily::addMetric);
        rows.forEach((labels, sums) -> {
            for (int i = 0; i < 3; i++) {
                ((GaugeMetricFamily) families.get(i + 1)).addMetric(labels, sums[i]);
            }
        });
        GaugeMetricFamily info = (GaugeMetricFamily) families.get(4);
        names.forEach((netns, name) -> info.addMetric(List.of(netns, name), 1));
        return families;
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return families();
    }

    private List<MetricFamilySamples> families() {
        List<MetricFamilySamples> f = new ArrayList<>();
        f.add(new CounterMetricFamily(prefix + "listen_drops",
                "Packets this listener dropped (its sk_drops), by reason: queue_full - every tcp_listendrop(), "
                        + "SYNs and third ACKs refused, its share of TcpExtListenDrops; defer_accept - bare ACKs "
                        + "held back by TCP_DEFER_ACCEPT (TcpExtTCPDeferAcceptDrop, no overload); unknown - a "
                        + "TCP_DEFER_ACCEPT listener on a kernel where the two cannot be told apart (before 6.11).",
                DROP_LABELS));
        f.add(new GaugeMetricFamily(prefix + "accept_queue_length",
                "Established connections waiting for accept().", LABELS));
        f.add(new GaugeMetricFamily(prefix + "accept_queue_max",
                "Accept queue limit: the listen() backlog, capped by net.core.somaxconn.", LABELS));
        f.add(new GaugeMetricFamily(prefix + "syn_queue_length",
                "Half-open connections (request sockets) waiting for the client's ACK.", LABELS));
        f.add(new GaugeMetricFamily(netnsInfo,
                "Names of network namespaces (inode) with listeners: the `ip netns` name, or ctr: and the "
                        + "container id's first 12 digits.", List.of("netns", "name")));
        return f;
    }

    static List<String> labels(Listener l) {
        ListenerRecord s = l.socket();
        SocketOwner o = l.owner();
        return List.of(Long.toString(s.netns()), InetText.of(s.address()), Integer.toString(s.port()),
                o.comm(), o.found() ? Integer.toString(o.pid()) : "", o.service(), o.container(),
                Long.toString(s.uid()));
    }

    private static List<String> withReason() {
        List<String> l = new ArrayList<>(LABELS);
        l.add("reason");
        return List.copyOf(l);
    }
}
