package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.client.CollectorRegistry;
import java.net.InetAddress;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ListenerCollectorTest {
    private static final String[] LABELS = ListenerCollector.LABELS.toArray(new String[0]);
    private static final String[] DROP_LABELS = ListenerCollector.DROP_LABELS.toArray(new String[0]);

    private static String[] withReason(String[] labels, String reason) {
        String[] out = java.util.Arrays.copyOf(labels, labels.length + 1);
        out[labels.length] = reason;
        return out;
    }

    static Listener listener(String addr, int port, long drops, long queue, long max, long syn, long inode,
                             SocketOwner owner) throws Exception {
        return new Listener(new ListenerRecord(InetAddress.getByName(addr), port, drops, queue, max, syn, 0, inode,
                1, 4026531833L), owner);
    }

    @Test
    void oneSeriesPerListenerWithItsOwner() throws Exception {
        SocketOwner web = new SocketOwner("nginx", 812, "nginx.service", "");
        List<Listener> source = List.of(
                listener("0.0.0.0", 80, 68, 3, 511, 7, 100, web),
                listener("::1", 9000, 0, 0, 128, 0, 101, SocketOwner.NONE));
        CollectorRegistry r = new CollectorRegistry();
        new ListenerCollector("bpfwatch", () -> source).register(r);

        String[] nginx = {"4026531833", "0.0.0.0", "80", "nginx", "812", "nginx.service", "", "0"};
        assertEquals(68.0, r.getSampleValue("bpfwatch_tcp_listen_drops_total", DROP_LABELS,
                withReason(nginx, "queue_full")));
        assertEquals(null, r.getSampleValue("bpfwatch_tcp_listen_drops_total", DROP_LABELS,
                withReason(nginx, "defer_accept")), "no TCP_DEFER_ACCEPT: no defer_accept series");
        assertEquals(3.0, r.getSampleValue("bpfwatch_tcp_accept_queue_length", LABELS, nginx));
        assertEquals(511.0, r.getSampleValue("bpfwatch_tcp_accept_queue_max", LABELS, nginx));
        assertEquals(7.0, r.getSampleValue("bpfwatch_tcp_syn_queue_length", LABELS, nginx));
        String[] orphan = {"4026531833", "::1", "9000", "", "", "", "", "0"};
        assertEquals(128.0, r.getSampleValue("bpfwatch_tcp_accept_queue_max", LABELS, orphan));
    }

    @Test
    void reuseportListenersWithTheSameLabelsAreSummed() throws Exception {
        SocketOwner app = new SocketOwner("app", 5, "", "");
        List<Listener> source = List.of(
                listener("0.0.0.0", 443, 10, 1, 128, 0, 200, app),
                listener("0.0.0.0", 443, 5, 2, 128, 1, 201, app));
        CollectorRegistry r = new CollectorRegistry();
        new ListenerCollector("bpfwatch", () -> source).register(r);
        String[] v = {"4026531833", "0.0.0.0", "443", "app", "5", "", "", "0"};
        assertEquals(15.0, r.getSampleValue("bpfwatch_tcp_listen_drops_total", DROP_LABELS,
                withReason(v, "queue_full")));
        assertEquals(256.0, r.getSampleValue("bpfwatch_tcp_accept_queue_max", LABELS, v));
    }

    private static Listener deferring(long drops, long inode, OptionalLong deferred) throws Exception {
        return new Listener(new ListenerRecord(InetAddress.getByName("0.0.0.0"), 80, drops, 0, 16, 0, 0, inode, 1,
                4026531833L, 5), new SocketOwner("nginx", 812, "nginx.service", ""), "web", deferred);
    }

    /** sk_drops minus the deferred ACKs read after the walk; never backwards when a drop races the two reads. */
    @Test
    void deferAcceptListenerSplitsItsDropsAndQueueFullNeverGoesBack() throws Exception {
        List<List<Listener>> walks = List.of(List.of(), // the agent's first walk: this listener came later
                List.of(deferring(20, 7, OptionalLong.of(18))),
                // a deferred ACK between the walk and the read of the count: 25 - 24 would show 1 < 2
                List.of(deferring(25, 7, OptionalLong.of(24))), List.of(deferring(30, 7, OptionalLong.of(24))));
        int[] scrape = {0};
        CollectorRegistry r = new CollectorRegistry();
        new ListenerCollector("bpfwatch", () -> walks.get(scrape[0])).register(r);
        String[] labels = {"4026531833", "0.0.0.0", "80", "nginx", "812", "nginx.service", "", "0"};
        List<Double> queueFull = new java.util.ArrayList<>();
        List<Double> defer = new java.util.ArrayList<>();
        r.metricFamilySamples(); // the first walk
        for (int i = 1; i < 4; i++) {
            scrape[0] = i;
            List<io.prometheus.client.Collector.MetricFamilySamples> f = java.util.Collections.list(
                    r.metricFamilySamples());
            queueFull.add(value(f, withReason(labels, "queue_full")));
            defer.add(value(f, withReason(labels, "defer_accept")));
            assertEquals(null, value(f, withReason(labels, "unknown")), "made after the first walk: nothing unknown");
        }
        assertEquals(List.of(2.0, 2.0, 6.0), queueFull);
        assertEquals(List.of(18.0, 24.0, 24.0), defer);
        assertEquals(1.0, r.getSampleValue("bpfwatch_netns_info", new String[] {"netns", "name"},
                new String[] {"4026531833", "web"}));
    }

    /** Deferred ACKs count from the agent's start: what a listener of its first walk dropped before is unknown. */
    @Test
    void dropsBeforeTheAgentStartedAreUnknownNotQueueFull() throws Exception {
        List<List<Listener>> walks = List.of(List.of(deferring(500, 7, OptionalLong.of(3))),
                List.of(deferring(520, 7, OptionalLong.of(13))));
        int[] scrape = {0};
        CollectorRegistry r = new CollectorRegistry();
        new ListenerCollector("bpfwatch", () -> walks.get(scrape[0])).register(r);
        String[] labels = {"4026531833", "0.0.0.0", "80", "nginx", "812", "nginx.service", "", "0"};
        List<io.prometheus.client.Collector.MetricFamilySamples> first = java.util.Collections.list(
                r.metricFamilySamples());
        assertEquals(497.0, value(first, withReason(labels, "unknown")));
        assertEquals(0.0, value(first, withReason(labels, "queue_full")), "a restart is no full queue");
        scrape[0] = 1;
        List<io.prometheus.client.Collector.MetricFamilySamples> second = java.util.Collections.list(
                r.metricFamilySamples());
        assertEquals(497.0, value(second, withReason(labels, "unknown")));
        assertEquals(10.0, value(second, withReason(labels, "defer_accept")) - 3.0);
        assertEquals(10.0, value(second, withReason(labels, "queue_full")), "20 new drops, 10 of them deferred");
    }

    /** One scrape's value of bpfwatch_tcp_listen_drops_total with these labels, or null. */
    private static Double value(List<io.prometheus.client.Collector.MetricFamilySamples> families, String[] values) {
        for (io.prometheus.client.Collector.MetricFamilySamples f : families) {
            for (io.prometheus.client.Collector.MetricFamilySamples.Sample s : f.samples) {
                if (s.name.equals("bpfwatch_tcp_listen_drops_total")
                        && s.labelValues.equals(java.util.Arrays.asList(values))) {
                    return s.value;
                }
            }
        }
        return null;
    }

    @Test
    void deferAcceptListenerWhereDeferredAcksCannotBeCountedIsUnknown() throws Exception {
        CollectorRegistry r = new CollectorRegistry();
        List<Listener> walk = List.of(deferring(20, 7, OptionalLong.empty()));
        new ListenerCollector("bpfwatch", () -> walk).register(r);
        String[] labels = {"4026531833", "0.0.0.0", "80", "nginx", "812", "nginx.service", "", "0"};
        assertEquals(20.0, r.getSampleValue("bpfwatch_tcp_listen_drops_total", DROP_LABELS,
                withReason(labels, "unknown")));
        assertEquals(null, r.getSampleValue("bpfwatch_tcp_listen_drops_total", DROP_LABELS,
                withReason(labels, "queue_full")), "never claims a full queue it cannot tell apart");
    }

    @Test
    void registeringDoesNotWalk() {
        CollectorRegistry r = new CollectorRegistry();
        java.util.concurrent.atomic.AtomicInteger walks = new java.util.concurrent.atomic.AtomicInteger();
        new ListenerCollector("bpfwatch", () -> {
            walks.incrementAndGet();
            return List.of();
        }).register(r);
        assertEquals(0, walks.get(), "listener walks at registration");
        r.metricFamilySamples();
        assertEquals(1, walks.get(), "listener walks for one scrape");
    }
}
