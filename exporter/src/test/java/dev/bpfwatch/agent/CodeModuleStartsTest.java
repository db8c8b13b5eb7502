package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code modules start on a second thread while the configs load. When a config's load fails
 * under --config.strict, the modules that started beside it are closed too: nothing stays in the
 * kernel.
 */
class CodeModuleStartsTest {
    @TempDir
    Path dir;

    @Test
    void aStrictConfigFailureClosesTheCodeModulesThatStartedBesideIt() {
        // Loads only to be refused by the verifier: the failure comes from the load, with the modules starting.
        ConfigDir.with(dir, "reject", "verifier_reject", """
                metrics:
                  counters:
                    - name: reject_counts
                """);
        AgentOptions strict = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(dir, List.of("reject", "listen_drops", "udp_ratelimit"))
                .withStrict(true);
        RuntimeException e = assertThrows(RuntimeException.class, () -> Agent.start(strict, BundledModules.all()));
        assertTrue(e.getMessage().contains("unchecked_read"), e.getMessage());
        for (String program : List.of("accepted_first", "count_socket_drop", "dump_tcp_listeners", "dump_udp_sockets")) {
            assertEquals(0, Bpftool.countOwnPrograms(program), program + " left loaded");
        }
    }

    @Test
    void withoutStrictTheModulesRunBesideTheFailureAndItIsShown() {
        ConfigDir.with(dir, "reject", "verifier_reject", """
                metrics:
                  counters:
                    - name: reject_counts
                """);
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(dir, List.of("reject", "listen_drops", "udp_ratelimit"));
        try (Agent agent = Agent.start(options, BundledModules.all())) {
            assertTrue(agent.moduleNames().containsAll(List.of("listen_drops", "udp_ratelimit")), agent.moduleNames().toString());
            assertEquals(1, Bpftool.countOwnPrograms("dump_tcp_listeners"));
        }
        assertEquals(0, Bpftool.countOwnPrograms("dump_tcp_listeners"));
    }
}
