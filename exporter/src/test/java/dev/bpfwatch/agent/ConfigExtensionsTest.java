package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Promtool;
import dev.bpfwatch.testing.Scrape;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bpfwatch's additions to the config format, each against the real kernel. */
class ConfigExtensionsTest {
    private static final String CONFIG = """
            metrics:
              counters:
                # struct value: two metrics from one map, each naming its field
                - name: port_packets_total
                  help: Packets dropped per port and reason
                  map: ext_port_stats
                  value_field: packets
                  labels:
                    - name: port
                      field: port
                      decoders:
                        - name: uint
                    - name: reason
                      field: reason
                      decoders:
                        - name: uint
                        - name: enum
                          enum: skb_drop_reason
                          strip_prefix: SKB_DROP_REASON_
                # no labels: every field of the struct key becomes one, named after it
                - name: port_bytes_total
                  help: Payload bytes dropped per port
                  map: ext_port_stats
                  value_field: bytes
              gauges:
                - name: port_last_length_bytes
                  help: Payload length of the last dropped packet
                  map: ext_port_stats
                  value_field: last_len
                  labels:
                    - name: port
                      field: port
                      decoders:
                        - name: uint
                # iterator: run at scrape time, one record per UDP socket
                - name: udp_socket_drops
                  help: Drops counted on each UDP socket (sk_drops)
                  iterator: ext_udp_sockets
                  record: ext_udp_socket
                  value_field: drops
                  labels:
                    - name: port
                      field: port
                      decoders:
                        - name: uint
            """;

    private static Agent agent;
    private static int closedPort;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        ConfigDir.with(dir, "ext", "ext_struct", CONFIG);
        agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(dir, List.of()),
                List.of());
        closedPort = Loopback.closedUdpPort();
        Loopback.sendUdp("127.0.0.1", closedPort, 4, 100);
        Loopback.sendUdp("127.0.0.1", closedPort, 1, 37);
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void structValueFeedsSeveralMetricsWithBtfLabels() {
        String e = Scrape.metrics(agent.port());
        assertEquals(5, Scrape.value(e, "bpfwatch_port_packets_total",
                "port=\"" + closedPort + "\",reason=\"NO_SOCKET\""), e);
        // every key field became a label, decoded as a number
        assertTrue(e.lines().anyMatch(l -> l.startsWith("bpfwatch_port_bytes_total{port=\"" + closedPort
                + "\",reason=\"") && l.endsWith(" 437.0")), e);
        assertEquals(37, Scrape.value(e, "bpfwatch_port_last_length_bytes", "port=\"" + closedPort + "\""), e);
        assertTrue(e.contains("# TYPE bpfwatch_port_last_length_bytes gauge"), e);
        assertEquals("", Promtool.checkMetrics(e));
    }

    @Test
    void iteratorRecordsBecomeSamplesAtScrapeTime() throws Exception {
        int sent = 300;
        int received = 0;
        try (DatagramSocket receiver = new DatagramSocket(null)) {
            receiver.setReceiveBufferSize(2048);
            receiver.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = receiver.getLocalPort();
            Loopback.sendUdp("127.0.0.1", port, sent, 1000);
            // Scrape while the socket is open: the iterator walks live sockets.
            String e = Scrape.metrics(agent.port());
            receiver.setSoTimeout(200);
            byte[] buf = new byte[2048];
            try {
                while (true) {
                    receiver.receive(new DatagramPacket(buf, buf.length));
                    received++;
                }
            } catch (SocketTimeoutException drained) {
                // all read
            }
            assertTrue(sent - received > 0, "buffer must overflow");
            assertEquals(sent - received, Scrape.value(e, "bpfwatch_udp_socket_drops", "port=\"" + port + "\""),
                    "sk_drops of the socket equals what the receiver lost: " + e);
        }
    }
}
