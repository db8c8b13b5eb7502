package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.client.CollectorRegistry;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerCollectorTest {
    private static final String[] LABELS = ListenerCollector.LABELS.toArray(new String[0]);

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
        assertEquals(68.0, r.getSampleValue("bpfwatch_tcp_listen_drops_total", LABELS, nginx));
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
        assertEquals(15.0, r.getSampleValue("bpfwatch_tcp_listen_drops_total", LABELS, v));
        assertEquals(256.0, r.getSampleValue("bpfwatch_tcp_accept_queue_max", LABELS, v));
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
