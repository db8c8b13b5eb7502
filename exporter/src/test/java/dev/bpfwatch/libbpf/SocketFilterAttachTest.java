package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.ratelimit.UdpSockets;
import dev.bpfwatch.testing.KernelMatrix;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Resources;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A socket filter (programs/testdata/attach_socket_filter.bpf.c) put on one
 * of this JVM's UDP sockets the way udp-limit does: program pinned, pin
 * opened, SO_ATTACH_BPF. Datagrams go over loopback to that socket only.
 */
@Tag("matrix")
class SocketFilterAttachTest {
    private static final int MAGIC_WORD = 0x7eadbeef;
    private static final int MAGIC = 25;
    private static final int PLAIN = 5;
    private static final long RECEIVE_MILLIS = 20_000; // generous: the matrix runs under emulation

    @Test
    void socketFilterCountsEachMagicDatagramAndKeepsThemAll() throws IOException {
        long pid = ProcessHandle.current().pid();
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        Path pin = Bpffs.DEFAULT.resolve("bpfwatch-test-" + pid + "-attach-socket-filter");
        try (BpfObject obj = BpfObject.open(Resources.testObject("attach_socket_filter"));
             DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel tx = DatagramChannel.open()) {
            obj.load();
            obj.program("socket_filter_count").orElseThrow().pin(pin.toString());
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            int fd = UdpSockets.ofProcess(pid, to.getPort()).get(0).fd();
            try (PinnedProgram program = PinnedProgram.open(pin); UdpSocket socket = UdpSocket.inThisProcess(fd)) {
                SocketFilter.attach(socket, program);
                send(tx, to, PLAIN, 0x01020304);
                send(tx, to, MAGIC, MAGIC_WORD);
                assertEquals(PLAIN + MAGIC, receive(rx, PLAIN + MAGIC), "the filter keeps every datagram");
                assertEquals(MAGIC, counted(obj), "magic datagrams the filter counted");

                assertTrue(SocketFilter.detach(socket), "the socket had the filter");
                send(tx, to, 3, MAGIC_WORD);
                assertEquals(3, receive(rx, 3));
                assertEquals(MAGIC, counted(obj), "counted after detaching");
            }
        } finally {
            Files.deleteIfExists(pin);
        }
        assertEquals(0, Bpftool.countOwnPrograms("socket_filter_count"), "program still held after close");
        assertEquals(0, Bpftool.countOwnMaps("magic_datagrams"), "map still held after close");
        KernelMatrix.works("attach: socket filter", "exact (" + MAGIC + " of " + MAGIC + " datagrams)");
    }

    private static void send(DatagramChannel tx, InetSocketAddress to, int count, int word) throws IOException {
        for (int i = 0; i < count; i++) {
            tx.send(ByteBuffer.allocate(8).putInt(word).putInt(i).flip(), to);
        }
    }

    /** Datagrams received until {@code expected} arrived or a quiet deadline passed. */
    private static int receive(DatagramChannel rx, int expected) throws IOException {
        rx.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(64);
        int got = 0;
        long deadline = System.currentTimeMillis() + RECEIVE_MILLIS;
        while (got < expected && System.currentTimeMillis() < deadline) {
            if (rx.receive(buf.clear()) != null) {
                got++;
            } else {
                Thread.onSpinWait();
            }
        }
        return got;
    }

    private static long counted(BpfObject obj) {
        byte[] v = obj.map("magic_datagrams").orElseThrow().lookup(new byte[4]).orElseThrow();
        return ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(0);
    }
}
