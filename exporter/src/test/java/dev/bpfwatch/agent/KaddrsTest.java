package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.CliRun;
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
        withKaddrConfig();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            assertAddressSeen(agent);
        }
    }

    /**
     * A symbol this kernel lacks is the kernel's refusal of that config: the
     * other configs start (they stopped with it before), the missing one is a
     * config error in self-metrics, and none of its programs stays loaded.
     */
    @Test
    void symbolMissingFromTheKernelFailsOnlyItsConfig() throws Exception {
        withKaddrConfig();
        withMissingSymbolConfig();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            String e = assertAddressSeen(agent);
            assertEquals(1.0, Scrape.value(e, "bpfwatch_config_errors", "config=\"kaddr_missing\""), e);
            assertEquals(0, Bpftool.countOwnPrograms("report_missing_kaddr"));
            assertEquals(0, Bpftool.countOwnMaps("kaddr_missing_s"));
        }
    }

    @Test
    void strictStartNamesTheSymbolAndLeavesNothingLoaded() {
        withKaddrConfig();
        withMissingSymbolConfig();
        KernelLacksException e = assertThrows(KernelLacksException.class, () -> Agent.start(
                AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(dir, List.of())
                        .withStrict(true), List.of()).close());
        assertEquals("kaddrs: kernel symbol 'bpfwatch_no_such_symbol' not in /proc/kallsyms on this kernel",
                e.getMessage());
        assertEquals(0, Bpftool.countOwnPrograms("report_kaddr"));
        assertEquals(0, Bpftool.countOwnPrograms("report_missing_kaddr"));
    }

    /** `check` judges the config, not the kernel it runs on: a symbol missing here is not a mistake. */
    @Test
    void checkAcceptsASymbolThisKernelLacks() {
        withMissingSymbolConfig();
        CliRun run = CliRun.of("check", "--config.dir=" + dir);
        assertEquals(0, run.exit(), run.out() + run.err());
    }

    @Test
    void checkRefusesAnObjectWithoutTheVariable() {
        ConfigDir.with(dir, "kaddr", "kaddr", """
                kaddrs:
                  - tcp_v4_connect
                  - tcp_v6_connect
                metrics:
                  gauges:
                    - name: kaddr_seen
                      help: the address the program was given
                """);
        CliRun run = CliRun.of("check", "--config.dir=" + dir);
        assertEquals(2, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("has no const volatile u64 kaddr_tcp_v6_connect"), run.err());
    }

    private void withKaddrConfig() {
        ConfigDir.kaddr(dir);
    }

    private void withMissingSymbolConfig() {
        ConfigDir.with(dir, "kaddr_missing", "kaddr_missing", """
                kaddrs:
                  - bpfwatch_no_such_symbol
                metrics:
                  gauges:
                    - name: kaddr_missing_seen
                      help: never served, no kernel has the symbol
                """);
    }

    private static String assertAddressSeen(Agent agent) throws Exception {
        long expected;
        try (var lines = Files.lines(Path.of("/proc/kallsyms"))) {
            expected = lines.map(l -> l.split("\\s+")).filter(f -> f[2].equals("tcp_v4_connect"))
                    .mapToLong(f -> Long.parseUnsignedLong(f[0], 16)).findFirst().orElseThrow();
        }
        Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 1, 1); // any drop runs the program
        String e = Scrape.metrics(agent.port());
        // A kernel address is above 2^63: the exposition carries it as an (inexact) float.
        double seen = e.lines().filter(l -> l.startsWith("bpfwatch_kaddr_seen "))
                .mapToDouble(l -> Double.parseDouble(l.split(" ")[1])).findFirst().orElseThrow();
        assertEquals(unsignedToDouble(expected), seen, Math.ulp(seen), e);
        return e;
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
    }
}
