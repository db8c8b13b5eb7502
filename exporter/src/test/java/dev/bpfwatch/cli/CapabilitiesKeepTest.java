package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * --capabilities.keep, ebpf_exporter's flag: 'all' runs with every
 * capability still held; any list is refused in one line that says why and
 * what to use instead, before anything is loaded.
 */
class CapabilitiesKeepTest {
    @Test
    void allKeepsEveryCapability() throws IOException {
        try (AgentProcess agent = AgentProcess.start("--config.names=kfree_skb_drops", "--bpf.pin-path=",
                "--capabilities.keep=all")) {
            String status = Files.readString(Path.of("/proc/" + agent.pid() + "/status"));
            String own = Files.readString(Path.of("/proc/self/status"));
            assertEquals(line(own, "CapEff:"), line(status, "CapEff:"), status);
            assertEquals(0, agent.stop("TERM"));
        }
    }

    @Test
    void aListIsRefusedInOneLine() {
        for (String keep : new String[] {"cap_bpf,cap_perfmon", "none"}) {
            CliRun run = CliRun.of("run", "--web.listen-address=127.0.0.1:0", "--bpf.pin-path=",
                    "--capabilities.keep=" + keep);
            assertEquals(2, run.exit(), run.toString());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertTrue(run.err().contains("--capabilities.keep " + keep + ": only 'all'"), run.err());
            assertTrue(run.err().contains("CapabilityBoundingSet"), run.err());
        }
    }

    private static String line(String status, String key) {
        return status.lines().filter(l -> l.startsWith(key)).findFirst().orElseThrow();
    }
}
