package dev.bpfwatch.capture;

import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.NetworkNamespace;
import dev.bpfwatch.testing.Resources;
import dev.bpfwatch.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's instrumented XDP program (programs/testdata/xdpcap_instrumented.bpf.c)
 * on bwcap1, one end of a veth pair living, both ends, in a netns of the
 * test's own; its hook pinned under /sys/fs/bpf. Datagrams sent from bwcap0
 * to a static neighbour arrive at bwcap1: to XDPCAP_DROP_PORT they are
 * dropped, everything else passes. IPv6 is off on the pair, so the only
 * packets the program sees are the test's.
 */
final class HookFixture implements AutoCloseable {
    static final int PASS_PORT = 47806;
    static final int DROP_PORT = 47807; // XDPCAP_DROP_PORT in the program
    static final String PEER = "192.0.2.2"; // TEST-NET-1: routes nowhere outside the netns
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final TestNetns ns;
    private final BpfObject object;
    private final BpfLink link;
    final Path pin;

    HookFixture() {
        ns = TestNetns.create();
        BpfObject obj = null;
        try {
            String n = ns.name();
            TestNetns.run("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            TestNetns.run("ip", "-n", n, "link", "add", "bwcap0", "type", "veth", "peer", "name", "bwcap1");
            TestNetns.run("ip", "-n", n, "addr", "add", "192.0.2.1/24", "dev", "bwcap0");
            TestNetns.run("ip", "-n", n, "link", "set", "bwcap0", "up");
            TestNetns.run("ip", "-n", n, "link", "set", "bwcap1", "up");
            Matcher mac = MAC.matcher(TestNetns.run("ip", "-n", n, "-o", "link", "show", "bwcap1"));
            if (!mac.find()) {
                throw new IllegalStateException("no MAC on bwcap1");
            }
            TestNetns.run("ip", "-n", n, "neigh", "add", PEER, "lladdr", mac.group(1), "dev", "bwcap0", "nud", "permanent");
            Bpffs.ensureMounted(Bpffs.DEFAULT);
            pin = Bpffs.DEFAULT.resolve("bwtest_hook_" + n.substring(n.length() - 8));
            obj = BpfObject.open(Resources.testObject("xdpcap_instrumented"));
            obj.load();
            obj.map("xdpcap_hook").orElseThrow().pin(pin.toString());
            var program = obj.program("xdpcap_instrumented").orElseThrow();
            link = NetworkNamespace.call(Path.of("/run/netns", n), program::attach);
            object = obj;
        } catch (RuntimeException e) {
            if (obj != null) {
                obj.close();
            }
            ns.close();
            throw e;
        }
    }

    /** Sends {@code count} datagrams of {@code payload} bytes from bwcap0 to PEER:port (frames of payload + 42 bytes). */
    void send(int port, int count, int payload) {
        NetworkNamespace.call(Path.of("/run/netns", ns.name()), () -> {
            try (DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET)) {
                InetSocketAddress to = new InetSocketAddress(PEER, port);
                for (int i = 0; i < count; i++) {
                    tx.send(ByteBuffer.allocate(payload), to);
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * A process in the netns that sends, on every {@link Injector#send()},
     * the frames of {@code pcap} as they are out of bwcap0 (AF_PACKET, no
     * stack in between): bwcap1's XDP program sees exactly those frames.
     */
    Injector injector(Path pcap) {
        String code = "import socket, struct, sys\n"
                + "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n"
                + "s.bind(('bwcap0', 0))\n"
                + "data = open('" + pcap + "', 'rb').read()\n"
                + "frames, off = [], 24\n"
                + "while off < len(data):\n"
                + "    incl = struct.unpack_from('<I', data, off + 8)[0]\n"
                + "    frames.append(data[off + 16:off + 16 + incl])\n"
                + "    off += 16 + incl\n"
                + "print('ready', len(frames), flush=True)\n"
                + "for line in sys.stdin:\n"
                + "    for f in frames:\n"
                + "        s.send(f)\n"
                + "    print('sent', flush=True)\n";
        return new Injector(ns.python("inject", null, code));
    }

    /** See {@link #injector}. */
    static final class Injector {
        private final TestNetns.Started process;

        Injector(TestNetns.Started process) {
            this.process = process;
        }

        void send() {
            try {
                process.process().getOutputStream().write("go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                process.process().getOutputStream().flush();
                String line = process.rest().readLine();
                if (!"sent".equals(line)) {
                    throw new IllegalStateException("injector said " + line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() {
        try {
            link.close();
            object.close();
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            ns.close();
        }
    }
}
