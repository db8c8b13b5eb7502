package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.btf.DropReasons;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Loopback;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled drop counter against drops made on loopback. */
class KfreeSkbDropsTest {
    private static BundledProgram program;
    private static BpfMap drops;
    private static DropReasons reasons;

    @BeforeAll
    static void load() {
        try (KernelBtf btf = KernelBtf.load()) {
            reasons = DropReasons.fromKernel(btf);
        }
        program = BundledProgram.loadAndAttach(KfreeSkbModule.NAME);
        drops = program.object().map(KfreeSkbModule.NAME).orElseThrow();
    }

    @AfterAll
    static void unload() {
        program.close();
        assertEquals(0, Bpftool.awaitProgramsGone("count_drop"), "program gone after close");
    }

    private static long count(String reason) {
        return KfreeSkbModule.countsByReason(drops).getOrDefault(reasons.value(reason), 0L);
    }

    @Test
    void udpToAClosedPortCountsAsNoSocket() {
        long before = count("NO_SOCKET");
        Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 250, 16);
        long after = count("NO_SOCKET");
        assertTrue(after - before >= 250, "NO_SOCKET rose by " + (after - before) + ", sent 250");
    }

    @Test
    void floodingASmallReceiveBufferCountsAsSocketRcvbuff() throws Exception {
        long before = count("SOCKET_RCVBUFF");
        int sent = 400;
        int received = 0;
        try (DatagramSocket receiver = new DatagramSocket(null)) {
            receiver.setReceiveBufferSize(2048); // the kernel doubles and floors it: a few packets fit
            receiver.bind(new InetSocketAddress("127.0.0.1", 0));
            Loopback.sendUdp("127.0.0.1", receiver.getLocalPort(), sent, 1000);
            receiver.setSoTimeout(200);
            byte[] buf = new byte[2048];
            try {
                while (true) {
                    receiver.receive(new DatagramPacket(buf, buf.length));
                    received++;
                }
            } catch (SocketTimeoutException drained) {
                // every queued datagram read
            }
        }
        int dropped = sent - received;
        long after = count("SOCKET_RCVBUFF");
        assertTrue(dropped > 0, "the tiny buffer must overflow (received " + received + ")");
        assertTrue(after - before >= dropped,
                "SOCKET_RCVBUFF rose by " + (after - before) + ", receiver lost " + dropped);
    }

    @Test
    void reasonsAreNamedNeverNumbered() {
        Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 1, 1);
        Map<Long, Long> counts = KfreeSkbModule.countsByReason(drops);
        assertTrue(counts.keySet().stream().map(reasons::name).noneMatch(n -> n.startsWith("UNKNOWN_")),
                "every reason seen has a BTF name: " + counts);
    }
}
