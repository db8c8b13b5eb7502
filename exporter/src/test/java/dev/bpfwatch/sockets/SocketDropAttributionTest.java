package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.testing.KernelMatrix;
import dev.bpfwatch.testing.TestNetns;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Which socket socket_drops charges a drop to, on both of its paths, both
 * run on this kernel: the default one (the tracepoint's rx_sk, else the
 * skb's socket) and the one kernels before 6.11 take (the skb's socket
 * alone, forced here by setting {@code use_skb_socket} before load).
 */
@Tag("matrix")
class SocketDropAttributionTest {
    private static final KernelSockets KERNEL = KernelSockets.running();
    private static final int SENT = 300;
    private BpfObject current;
    private BpfObject beforeRxSk;

    private static BpfObject load(boolean skbSocketOnly) {
        BpfObject object = BpfObject.openResource("/bpfwatch/configs/socket_drops.bpf.o");
        try {
            assertTrue(object.setReadOnlyGlobal("use_skb_socket", new byte[] {(byte) (skbSocketOnly ? 1 : 0)}));
            object.load();
            object.program("count_socket_drop").orElseThrow().attach();
            return object;
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    @BeforeEach
    void loadBothPaths() {
        current = load(false);
        beforeRxSk = load(true);
    }

    @AfterEach
    void close() {
        current.close();
        beforeRxSk.close();
    }

    /** Drops counted at this local port and protocol, over every reason. */
    private static long dropsAt(BpfObject object, int port, int protocol) {
        BpfMap drops = object.map("socket_drops").orElseThrow();
        return drops.entries().stream().filter(e -> {
            SocketDropKey k = SocketDropKey.decode(e.key());
            return k.port() == port && k.protocol() == protocol;
        }).mapToLong(e -> drops.sumU64(e.value(), 0)).sum();
    }

    @Test
    void receiveBufferDropsNeedRxSk() throws Exception {
        try (DatagramChannel rx = DatagramChannel.open(); DatagramChannel tx = DatagramChannel.open()) {
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 2048);
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            tx.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) rx.getLocalAddress()).getPort();
            long portlessBefore = dropsAt(beforeRxSk, 0, 0);
            ByteBuffer payload = ByteBuffer.allocate(1000);
            for (int i = 0; i < SENT; i++) {
                payload.clear();
                tx.send(payload, rx.getLocalAddress());
            }
            int lost = SENT - drain(rx);
            long portless = dropsAt(beforeRxSk, 0, 0) - portlessBefore;
            System.out.printf("receive-buffer drops: lost %d; rx_sk path at port %d: %d; skb->sk path at the port: %d,"
                    + " without a port: +%d%n", lost, port, dropsAt(current, port, 17), dropsAt(beforeRxSk, port, 17),
                    portless);
            assertTrue(lost > 0, "the 2 KiB buffer must overflow");
            // Where the kernel has no rx_sk (before 6.11) the default path is the skb's socket too.
            assertEquals(KERNEL.rxSk() ? lost : 0, dropsAt(current, port, 17),
                    KERNEL.rxSk() ? "rx_sk names the receiving socket of every drop" : "no rx_sk: no socket to name");
            assertEquals(0, dropsAt(beforeRxSk, port, 17), "the receive path has not put the socket on the skb");
            assertTrue(portless >= lost, "without rx_sk the drops still count, without a port");
            if (KERNEL.rxSk()) {
                KernelMatrix.works("socket drops: rx_sk path (6.11+) and skb->sk path", "both exact");
            } else {
                KernelMatrix.degraded("socket drops: rx_sk path (6.11+) and skb->sk path",
                        "no rx_sk: receive drops count without a port (" + lost + " of " + lost + ")");
            }
        }
    }

    private static int drain(DatagramChannel rx) throws Exception {
        rx.configureBlocking(false);
        int received = 0;
        ByteBuffer in = ByteBuffer.allocate(2048);
        long quietUntil = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < quietUntil) {
            in.clear();
            if (rx.receive(in) != null) {
                received++;
                quietUntil = System.nanoTime() + 200_000_000L;
            }
        }
        return received;
    }

    @Test
    void queueDisciplineDropsCountAtTheSendersPort() throws Exception {
        try (TestNetns ns = TestNetns.create()) {
            // A queue of length 0 on the namespace's loopback: every packet sent is a QDISC_DROP.
            TestNetns.run("tc", "-n", ns.name(), "qdisc", "add", "dev", "lo", "root", "pfifo", "limit", "0");
            TestNetns.Started sender = ns.python("qdiscsend", null, "import socket\n"
                    + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                    + "s.bind(('127.0.0.1', 0))\n"
                    + "print(s.getsockname()[1], flush=True)\n"
                    + "for i in range(" + SENT + "):\n"
                    + "    s.sendto(b'x' * 64, ('127.0.0.1', 9))\n");
            assertTrue(sender.process().waitFor(30, TimeUnit.SECONDS));
            int port = Integer.parseInt(sender.firstLine());
            System.out.printf("qdisc drops of %d datagrams from port %d: default path %d, skb->sk path %d%n",
                    SENT, port, dropsAt(current, port, 17), dropsAt(beforeRxSk, port, 17));
            assertEquals(SENT, dropsAt(current, port, 17), "no rx_sk on the way out: the skb names its sender");
            assertEquals(SENT, dropsAt(beforeRxSk, port, 17));
            KernelMatrix.works("socket drops on the way out (qdisc) at the sender's port", "exact (" + SENT + ")");
        }
    }
}
