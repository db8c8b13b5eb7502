package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KaddrsTest {
    @TempDir
    Path dir;

    @Test
    void symbolAddressReachesTheProgram() throws Exception {
        ConfigDir.with(dir, "kaddr", "kaddr", """
                kaddrs:
                  - tcp_v4_connect
                metrics:
                  gauges:
                    - name: kaddr_seen
                      help: the address the program was given
                """);
        long expected;
        try (var lines = Files.lines(Path.of("/proc/kallsyms"))) {
            expected = lines.map(l -> l.split("\\s+")).filter(f -> f[2].equals("tcp_v4_connect"))
                    .mapToLong(f -> Long.parseUnsignedLong(f[0], 16)).findFirst().orElseThrow();
        }
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 1, 1); // any drop runs the program
            String e = Scrape.metrics(agent.port());
            // A kernel address is above 2^63: the exposition carries it as an (inexact) float.
            double seen = e.lines().filter(l -> l.startsWith("bpfwatch_kaddr_seen "))
                    .mapToDouble(l -> Double.parseDouble(l.split(" ")[1])).findFirst().orElseThrow();
            assertEquals(unsignedToDouble(expected), seen, Math.ulp(seen), e);
        }
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
    }
}
