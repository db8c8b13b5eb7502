package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.AgentProcess;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --log.no-timestamps (ebpf_exporter's flag): the agent's log lines lose their date and time, nothing else. */
class LogTimestampsTest {
    private static List<String> infoLines(AgentProcess agent) {
        return agent.output().lines().filter(l -> l.contains("INFO dev.bpfwatch.") || l.startsWith("INFO "))
                .toList();
    }

    @Test
    void linesStartWithTheLevel() {
        try (AgentProcess agent = AgentProcess.start("--config.names=kfree_skb_drops", "--bpf.pin-path=",
                "--log.no-timestamps")) {
            assertEquals(0, agent.stop("TERM"));
            List<String> lines = infoLines(agent);
            assertTrue(lines.stream().anyMatch(l -> l.equals("INFO dev.bpfwatch.cli.RunCommand: stopped")),
                    agent.output());
            assertFalse(lines.stream().anyMatch(l -> l.matches("^\\d{4}-\\d\\d-\\d\\dT.*")), agent.output());
        }
    }

    @Test
    void defaultLinesCarryTheTime() {
        try (AgentProcess agent = AgentProcess.start("--config.names=kfree_skb_drops", "--bpf.pin-path=")) {
            assertEquals(0, agent.stop("TERM"));
            assertTrue(agent.output().lines().anyMatch(
                    l -> l.matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d INFO dev.bpfwatch.cli.RunCommand: stopped$")),
                    agent.output());
        }
    }
}
