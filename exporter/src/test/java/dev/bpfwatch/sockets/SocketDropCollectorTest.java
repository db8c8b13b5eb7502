package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.btf.DropReasonsFixture;
import io.prometheus.client.CollectorRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketDropCollectorTest {
    private static final String[] LABELS = {"reason", "port", "protocol"};

    @Test
    void countsByReasonPortAndProtocol() {
        var reasons = DropReasonsFixture.of(Map.of("SKB_DROP_REASON_NO_SOCKET", 2L,
                "SKB_DROP_REASON_SOCKET_RCVBUFF", 6L, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW", 40L));
        Map<SocketDropKey, Long> counts = Map.of(
                new SocketDropKey(40, 8080, 6), 3L,
                new SocketDropKey(6, 5353, 17), 250L,
                new SocketDropKey(2, 0, 0), 9L,
                new SocketDropKey(77, 53, 17), 1L);
        CollectorRegistry r = new CollectorRegistry();
        new SocketDropCollector("bpfwatch", () -> counts, reasons).register(r);
        assertEquals(3.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"TCP_LISTEN_OVERFLOW", "8080", "tcp"}));
        assertEquals(250.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"SOCKET_RCVBUFF", "5353", "udp"}));
        assertEquals(9.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"NO_SOCKET", "", ""}), "no socket: empty port and protocol");
        assertEquals(1.0, r.getSampleValue("bpfwatch_socket_drops_total", LABELS,
                new String[] {"UNKNOWN_77", "53", "udp"}));
    }

    @Test
    void keyBytesAreTheProgramsLayout() {
        byte[] key = {40, 0, 0, 0, (byte) 0x90, 0x1f, 6, 0};
        assertEquals(new SocketDropKey(40, 8080, 6), SocketDropKey.decode(key));
    }
}
