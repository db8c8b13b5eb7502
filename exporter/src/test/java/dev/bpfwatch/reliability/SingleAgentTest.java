package dev.bpfwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ChildProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * One agent per pin directory: a second `bpfwatch run` on the same
 * --bpf.pin-path would load the same programs into the same pinned maps and
 * count every event twice. It refuses with one line naming the first.
 */
class SingleAgentTest {
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-single-" + ProcessHandle.current().pid());
    private final String pinFlag = "--bpf.pin-path=" + pins;
    private final String names = "--config.names=kfree_skb_drops";

    @AfterEach
    void removePins() {
        BpfwatchCommand.commandLine().execute("cleanup", pinFlag);
    }

    private List<String> pinned() throws IOException {
        try (Stream<Path> all = Files.walk(pins)) {
            return all.map(Path::toString).sorted().toList();
        }
    }

    @Test
    void aSecondAgentOnTheSamePinPathRefusesAndNamesTheFirst() throws Exception {
        try (AgentProcess first = AgentProcess.start(pinFlag, names)) {
            List<String> pinsBefore = pinned();
            int mapId = Bpftool.pinnedMapId(pins.resolve("kfree_skb_drops/kfree_skb_drops").toString());

            Path out = Files.createTempFile("second-agent", ".out");
            Path err = Files.createTempFile("second-agent", ".err");
            Process second = new ProcessBuilder(ChildProcess.javaCommand(List.of(), "dev.bpfwatch.cli.Main", "run",
                    "--web.listen-address=127.0.0.1:0", pinFlag, names))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean exited = second.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                second.destroyForcibly().waitFor();
            }
            String printed = Files.readString(out) + Files.readString(err);
            Files.delete(out);
            assertTrue(exited, "the second agent is still running: " + printed);
            assertEquals(1, second.exitValue(), printed);
            List<String> lines = Files.readAllLines(err);
            Files.delete(err);
            assertEquals(1, lines.size(), printed);
            assertEquals("bpfwatch: --bpf.pin-path " + pins + " is in use by another bpfwatch run (pid "
                    + first.pid() + "); stop it, or give this one its own pin path", lines.get(0));
            assertTrue(!printed.contains("serving"), printed);
            assertEquals(pinsBefore, pinned(), "the pins are as the first agent left them");
            assertEquals(mapId, Bpftool.pinnedMapId(pins.resolve("kfree_skb_drops/kfree_skb_drops").toString()));
            assertEquals(1, Bpftool.programIdsHeldBy("count_drop", first.pid()).size(), "the first still runs");
            assertEquals(0, first.stop("TERM"));
        }
        // Once the first has stopped, the pin path is free again.
        try (AgentProcess again = AgentProcess.start(pinFlag, names)) {
            assertEquals(0, again.stop("TERM"));
        }
    }

    @Test
    void cleanupRefusesWhileAnAgentHoldsThePinPathAndNamesIt() throws Exception {
        try (AgentProcess agent = AgentProcess.start(pinFlag, names)) {
            List<String> pinsBefore = pinned();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = BpfwatchCommand.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute("cleanup", pinFlag);
            assertEquals(1, code, out + "" + err);
            assertEquals(List.of("bpfwatch: --bpf.pin-path " + pins + " is in use by a running bpfwatch (pid "
                    + agent.pid() + "); stop it before cleanup, nothing removed"), err.toString().lines().toList());
            assertEquals("", out.toString());
            assertEquals(pinsBefore, pinned(), "no pin of the running agent was removed");
            assertEquals(0, agent.stop("TERM"));
        }
        // With the agent gone, cleanup removes the pins.
        assertEquals(0, BpfwatchCommand.commandLine().execute("cleanup", pinFlag));
        assertTrue(!Files.exists(pins.resolve("kfree_skb_drops/kfree_skb_drops")));
    }
}
