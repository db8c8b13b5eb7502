package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.testing.KernelMatrix;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Resources;
import dev.bpfwatch.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * iter/tcp (programs/testdata/attach_iter_tcp.bpf.c): a walk covers the netns
 * of the thread that starts it, so in a namespace the test made, with the
 * test's listeners its only TCP sockets, one walk visits exactly those.
 */
@Tag("matrix")
class IterTcpAttachTest {
    private static final int LISTENERS = 25;

    @Test
    void iteratorVisitsEachListenerOfTheTestNetnsOnce() {
        Set<Integer> ports = new TreeSet<>();
        try (TestNetns ns = TestNetns.create();
             BpfObject obj = BpfObject.open(Resources.testObject("attach_iter_tcp"))) {
            obj.load();
            BpfLink link = obj.program("iter_tcp_count").orElseThrow().attachIterator();
            String walk = NetworkNamespace.call(Path.of("/run/netns", ns.name()), () -> {
                List<ServerSocketChannel> listeners = new ArrayList<>();
                try {
                    for (int i = 0; i < LISTENERS; i++) {
                        ServerSocketChannel l = ServerSocketChannel.open();
                        listeners.add(l);
                        l.bind(new InetSocketAddress("127.0.0.1", 0));
                        ports.add(((InetSocketAddress) l.getLocalAddress()).getPort());
                    }
                    return new String(link.readIterator(), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    listeners.forEach(IterTcpAttachTest::closeQuietly);
                }
            });
            assertEquals(LISTENERS, ports.size());
            assertEquals(ports, walk.lines().map(Integer::parseInt).collect(Collectors.toCollection(TreeSet::new)),
                    "ports the walk printed");
            assertEquals(LISTENERS, walk.lines().count(), "each listener printed once");
            byte[] visited = obj.map("tcp_sockets_visited").orElseThrow().lookup(new byte[4]).orElseThrow();
            assertEquals(LISTENERS, ByteBuffer.wrap(visited).order(ByteOrder.nativeOrder()).getLong(0),
                    "sockets the program counted");
            link.close();
        }
        assertEquals(0, Bpftool.countOwnPrograms("iter_tcp_count"), "program still held after close");
        assertEquals(0, Bpftool.countOwnMaps("tcp_sockets_visited"), "map still held after close");
        KernelMatrix.works("attach: iter/tcp", "exact (" + LISTENERS + " of " + LISTENERS + " listeners)");
    }

    private static void closeQuietly(ServerSocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
