package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.KernelMatrix;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Resources;
import dev.bpfwatch.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * XDP in ebpf_exporter's xdp/&lt;interface&gt; form (programs/testdata/attach_xdp.bpf.c)
 * on one end of a veth pair that lives, both ends, in a netns the test makes;
 * it is attached from a thread inside that netns, so no interface of the
 * host's namespace is ever touched. Datagrams leave bwxdp0 for a neighbour
 * set by hand (no ARP) and arrive at bwxdp1, where the program counts them.
 */
@Tag("matrix")
class XdpAttachTest {
    private static final String SENDER = "bwxdp0";
    private static final String DEVICE = "bwxdp1"; // the interface the program's section names
    private static final String SENDER_ADDRESS = "192.0.2.1"; // TEST-NET-1: routes nowhere outside the netns
    private static final String PEER_ADDRESS = "192.0.2.2";
    private static final int PORT = 47806; // ATTACH_XDP_PORT in the program
    private static final int PACKETS = 50;
    private static final int OTHER_PORT_PACKETS = 5;
    private static final long WAIT_MILLIS = 20_000; // generous: the matrix runs under emulation
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    @Test
    void xdpCountsEachDatagramAcrossTheVeth() {
        try (TestNetns ns = TestNetns.create()) {
            String n = ns.name();
            TestNetns.run("ip", "-n", n, "link", "add", SENDER, "type", "veth", "peer", "name", DEVICE);
            TestNetns.run("ip", "-n", n, "addr", "add", SENDER_ADDRESS + "/24", "dev", SENDER);
            TestNetns.run("ip", "-n", n, "link", "set", SENDER, "up");
            TestNetns.run("ip", "-n", n, "link", "set", DEVICE, "up");
            Matcher mac = MAC.matcher(TestNetns.run("ip", "-n", n, "-o", "link", "show", DEVICE));
            assertTrue(mac.find(), "MAC of " + DEVICE);
            TestNetns.run("ip", "-n", n, "neigh", "add", PEER_ADDRESS, "lladdr", mac.group(1), "dev", SENDER,
                    "nud", "permanent");
            Path netns = Path.of("/run/netns", n);

            try (BpfObject obj = BpfObject.open(Resources.testObject("attach_xdp"))) {
                obj.load();
                BpfProgram program = obj.program("xdp_count").orElseThrow();
                BpfLink link = NetworkNamespace.call(netns, program::attach);
                assertTrue(xdpOn(n), DEVICE + " shows an XDP program");

                NetworkNamespace.call(netns, () -> send(OTHER_PORT_PACKETS, PORT + 1));
                NetworkNamespace.call(netns, () -> send(PACKETS, PORT));
                assertEquals(PACKETS, awaitCount(obj, PACKETS), "datagrams to port " + PORT + " XDP counted");

                link.close();
                assertFalse(xdpOn(n), "XDP gone from " + DEVICE + " after close");
            }
        }
        assertEquals(0, Bpftool.countOwnPrograms("xdp_count"), "program still held after close");
        assertEquals(0, Bpftool.countOwnMaps("xdp_magic_packets"), "map still held after close");
        KernelMatrix.works("attach: xdp on a veth", "exact (" + PACKETS + " of " + PACKETS + " packets)");
    }

    private static boolean xdpOn(String netns) {
        return TestNetns.run("ip", "-n", netns, "link", "show", DEVICE).contains("prog/xdp");
    }

    /** Sends from the calling thread, which {@link NetworkNamespace#call} has put in the test's netns. */
    private static Void send(int count, int port) {
        try (DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET)) {
            InetSocketAddress to = new InetSocketAddress(PEER_ADDRESS, port);
            for (int i = 0; i < count; i++) {
                tx.send(ByteBuffer.allocate(8).putInt(i).flip(), to);
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The count once it reaches {@code expected} (veth hands packets over in softirq), then once more a bit later. */
    private static long awaitCount(BpfObject obj, long expected) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        long n = count(obj);
        while (n < expected && System.currentTimeMillis() < deadline) {
            TestNetns.sleep(10);
            n = count(obj);
        }
        TestNetns.sleep(100); // anything counted twice or from elsewhere would show now
        return count(obj);
    }

    private static long count(BpfObject obj) {
        byte[] v = obj.map("xdp_magic_packets").orElseThrow().lookup(new byte[4]).orElseThrow();
        return ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(0);
    }
}
