package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.btf.DropReasonsFixture;
import io.prometheus.client.CollectorRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketDropCollectorTest {
    private static final String[] LABELS = SocketDropCollector.LABELS.toArray(new String[0]);
    private static final long CONTAINERS_CGROUP = 9001;
    private static final String CONTAINER = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static String cgroupPath(long id) {
        return id == CONTAINERS_CGROUP ? "/system.slice/docker-" + CONTAINER + ".scope" : "/system.slice/knot.service";
    }

    @Test
    void countsByReasonNamespaceFamilyPortProtocolAndOwner() {
        var reasons = DropReasonsFixture.of(Map.of("SKB_DROP_REASON_NO_SOCKET", 2L,
                "SKB_DROP_REASON_SOCKET_RCVBUFF", 6L, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW", 40L,
                "SKB_DROP_REASON_SOCKET_CLOSE", 3L));
        Map<SocketDropKey, Long> counts = Map.of(
                new SocketDropKey(40, 8080, 6, 2, 4026531840L, 77), 3L,
                // the same port in two namespaces: two series, never summed
                new SocketDropKey(6, 5353, 17, 10, 4026531840L, 77), 250L,
                new SocketDropKey(6, 5353, 17, 2, 4026532999L, CONTAINERS_CGROUP), 40L,
                new SocketDropKey(2, 0, 0, 0, 0, 0), 9L,
                new SocketDropKey(77, 53, 17, 2, 4026531840L, 0), 1L,
                // a unix socket: skc_num and sk_protocol mean nothing there
                new SocketDropKey(3, 1234, 1, 1, 4026531840L, 77), 5L);
        CollectorRegistry r = new CollectorRegistry();
        new SocketDropCollector("bpfwatch", () -> counts, reasons, SocketDropCollectorTest::cgroupPath).register(r);
        assertEquals(3.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"TCP_LISTEN_OVERFLOW", "4026531840", "inet", "8080", "tcp", "knot.service", ""}));
        assertEquals(250.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"SOCKET_RCVBUFF", "4026531840", "inet6", "5353", "udp", "knot.service", ""}));
        assertEquals(40.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"SOCKET_RCVBUFF", "4026532999", "inet", "5353", "udp", "", CONTAINER}));
        assertEquals(9.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"NO_SOCKET", "", "", "", "", "", ""}), "no socket: empty socket labels");
        assertEquals(1.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"UNKNOWN_77", "4026531840", "inet", "53", "udp", "", ""}), "no cgroup: no owner");
        assertEquals(5.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"SOCKET_CLOSE", "4026531840", "unix", "", "", "knot.service", ""}),
                "a unix socket has a family, no port and no IP protocol");
    }

    @Test
    void keyBytesAreTheProgramsLayout() {
        byte[] key = {40, 0, 0, 0, (byte) 0x90, 0x1f, 6, 0, 10, 0, 0, 0, 0x01, 0x02, 0x00, (byte) 0xf0,
                0x39, 0x30, 0, 0, 0, 0, 0, 0};
        assertEquals(new SocketDropKey(40, 8080, 6, 10, 0xf0000201L, 12345), SocketDropKey.decode(key));
    }
}
