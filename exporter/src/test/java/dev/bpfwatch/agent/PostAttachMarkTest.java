package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ebpf_exporter's {@code uprobe//proc/self/exe:post_attach_mark} (its bpf-jit
 * example fills a gauge with it): the program runs once, right after its
 * config is attached. Before, libbpf looked for that function in the JVM's
 * binary and the program never attached.
 */
class PostAttachMarkTest {
    @TempDir
    Path dir;

    @Test
    void runsOnceRightAfterAttach() throws Exception {
        ConfigDir.with(dir, "post_attach", "post_attach", """
                metrics:
                  counters:
                    - name: post_attach_runs
                      help: runs of the run-once-after-attach program
                """);
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            String e = Scrape.metrics(agent.port());
            assertEquals(1, Scrape.value(e, "bpfwatch_ebpf_program_attached",
                    "config=\"post_attach\",program=\"post_attach_init\""), e);
            assertEquals(1, Scrape.value(e, "bpfwatch_post_attach_runs_total", ""), e);
            // Nothing else in this process calls the probed function: a second scrape sees no new run.
            assertEquals(1, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_post_attach_runs_total", ""));
        }
    }
}
