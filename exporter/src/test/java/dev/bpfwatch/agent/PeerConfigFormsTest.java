package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.libbpf.Cpus;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forms of ebpf_exporter's configs that bpfwatch refused before: each loads and counts as there. */
class PeerConfigFormsTest {
    @TempDir
    Path dir;

    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-peerforms-" + ProcessHandle.current().pid());

    @AfterEach
    void unpin() {
        assertEquals(0, BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins));
    }

    /**
     * A config named with a dot (ebpf_exporter's cachestat-pre-kernel-5.16)
     * pins, though bpffs refuses dots in names, and keeps its counts there;
     * a top-level name (which ebpf_exporter reads, then replaces by the
     * file's) is accepted.
     */
    @Test
    void aDottedConfigNamePinsAndATopLevelNameIsAccepted() {
        ConfigDir.with(dir, "slots-pre-kernel-5.16", "test_maps", """
                name: slots-pre-kernel-5.16
                metrics:
                  counters:
                    - name: test_array
                      help: Slots of a test array
                      skip_zeros: true
                      labels:
                        - name: slot
                          size: 4
                          decoders:
                            - name: uint
                """);
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withPinPath(pins).withStrict(true);
        Path pin = pins.resolve("slots-pre-kernel-5%2E16/test_array");
        try (Agent agent = Agent.start(options, List.of())) {
            assertEquals(List.of(), List.copyOf(agent.failures().values()));
            assertTrue(Files.exists(pin), "pinned at " + pin);
            Bpftool.run("map", "update", "pinned", pin.toString(), "key", "5", "0", "0", "0",
                    "value", "9", "0", "0", "0", "0", "0", "0", "0");
            assertEquals(List.of("bpfwatch_test_array_total{slot=\"5\",} 9.0"), series(agent));
        }
        // the next run finds its pin again: the count survives the restart
        try (Agent agent = Agent.start(options, List.of())) {
            assertEquals(List.of("bpfwatch_test_array_total{slot=\"5\",} 9.0"), series(agent));
        }
    }

    private static List<String> series(Agent agent) {
        return Scrape.metrics(agent.port()).lines().filter(l -> l.startsWith("bpfwatch_test_array_total{")).toList();
    }

    /**
     * ebpf_exporter's per-CPU form (percpu-softirq): after the key's labels a
     * 2-byte "cpu" label, which the CPU number fills, with its own decoders.
     */
    @Test
    void aTwoByteCpuLabelSplitsPerCpuValuesThroughItsDecoders() throws Exception {
        ConfigDir.with(dir, "percpu", "compat_udp", """
                metrics:
                  counters:
                    - name: udp_drops_percpu_total
                      help: drops per port and CPU
                      labels:
                        - name: dport
                          size: 2
                          decoders:
                            - name: uint
                        - name: cpu
                          size: 2
                          decoders:
                            - name: uint
                            - name: static_map
                              allow_unknown: true
                              static_map:
                                0: boot_cpu
                """);
        int port = Loopback.closedUdpPort();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true), List.of())) {
            assertEquals(List.of(), List.copyOf(agent.failures().values()));
            Loopback.sendUdp("127.0.0.1", port, 40, 8);
            String e = Scrape.metrics(agent.port());
            double sum = 0;
            for (int cpu = 0; cpu < Cpus.possible(); cpu++) {
                String labels = "dport=\"" + port + "\",cpu=\"" + (cpu == 0 ? "boot_cpu" : cpu) + "\"";
                assertTrue(e.contains("bpfwatch_udp_drops_percpu_total{" + labels + ",}"), "one series per CPU: " + e);
                sum += Scrape.value(e, "bpfwatch_udp_drops_percpu_total", labels);
            }
            assertEquals(40, sum, "the CPUs' shares add up to what was sent");
        }
    }
}
