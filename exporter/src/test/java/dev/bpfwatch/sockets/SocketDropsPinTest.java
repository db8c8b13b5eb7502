package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.TestNetns;
import io.prometheus.client.Collector;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * bpfwatch_socket_drops_total goes on across an agent restart, as config
 * counters do: the socket_drops map is pinned under the pin path, and the
 * next run counts on in it.
 */
class SocketDropsPinTest {
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-socketdrops-pin-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    @Test
    void socketDropsContinueAfterARestart() {
        assertTrue(ListenDropsModule.countsDeferredAccept(),
                "this host's kernel has rx_sk (6.11+): receive drops are charged to their socket");
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(null, List.of(ListenDropsModule.NAME)).withStrict(true).withPinPath(pins);
        try (TestNetns ns = TestNetns.create()) {
            long lostFirst;
            double seenFirst;
            try (Agent agent = Agent.start(options)) {
                lostFirst = overflowUdpPort(ns, 200);
                seenFirst = drops(agent, ns);
            }
            assertTrue(lostFirst > 0, "the first overflow lost nothing");
            assertEquals(lostFirst, seenFirst, "first run: every lost datagram counted");
            assertTrue(Files.exists(pins.resolve("%socket_drops/socket_drops")), "socket_drops is pinned");
            try (Agent agent = Agent.start(options)) {
                assertEquals(seenFirst, drops(agent, ns), "after the restart the count goes on, not from zero");
                long lostSecond = overflowUdpPort(ns, 300);
                assertTrue(lostSecond > 0, "the second overflow lost nothing");
                assertEquals(lostFirst + lostSecond, drops(agent, ns), "both runs' drops");
                System.out.printf("socket drops across a restart: %d lost, %.0f counted; restarted, %d more lost, "
                        + "%.0f counted%n", lostFirst, seenFirst, lostSecond, drops(agent, ns));
            }
        }
    }

    /** The namespace's SOCKET_RCVBUFF drops at UDP port 5353, summed over the owner labels. */
    private static double drops(Agent agent, TestNetns ns) {
        double sum = 0;
        for (Collector.MetricFamilySamples f : Collections.list(agent.registry().metricFamilySamples())) {
            for (Collector.MetricFamilySamples.Sample s : f.samples) {
                if (s.name.equals("bpfwatch_socket_drops_total")
                        && label(s, "netns").equals(Long.toString(ns.inode())) && label(s, "port").equals("5353")
                        && label(s, "protocol").equals("udp") && label(s, "reason").equals("SOCKET_RCVBUFF")) {
                    sum += s.value;
                }
            }
        }
        return sum;
    }

    private static String label(Collector.MetricFamilySamples.Sample s, String name) {
        int i = s.labelNames.indexOf(name);
        return i < 0 ? "" : s.labelValues.get(i);
    }

    /** Sends {@code sent} datagrams to a 2 KiB-buffer socket on 127.0.0.1:5353 in the namespace; returns how many it lost. */
    private static long overflowUdpPort(TestNetns ns, int sent) {
        TestNetns.Started p = ns.python("udpfull", null, "import socket\n"
                + "r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                + "r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)\n"
                + "r.bind(('127.0.0.1', 5353))\n"
                + "t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                + "for i in range(" + sent + "):\n"
                + "    t.sendto(b'x' * 1000, ('127.0.0.1', 5353))\n"
                + "r.setblocking(False)\n"
                + "got = 0\n"
                + "try:\n"
                + "    while True:\n"
                + "        r.recv(2048)\n"
                + "        got += 1\n"
                + "except BlockingIOError:\n"
                + "    pass\n"
                + "print(" + sent + " - got, flush=True)\n");
        return Long.parseLong(p.firstLine());
    }
}
