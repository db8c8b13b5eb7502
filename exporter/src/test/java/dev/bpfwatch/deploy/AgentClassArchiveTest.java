package dev.bpfwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Curl;
import dev.bpfwatch.testing.Launcher;
import dev.bpfwatch.testing.RepoFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bpfwatch run` through the launcher: an agent started without an archive of its classes records
 * one of itself once it has served a while, and the next start of the same jar maps it.
 */
@Tag("packaged")
class AgentClassArchiveTest {
    @TempDir
    Path dir;
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-cds-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    @Test
    void theAgentRecordsAnArchiveOfItselfAndTheNextStartMapsIt() throws Exception {
        Path jar = Files.copy(RepoFiles.path("exporter/target/bpfwatch.jar"), dir.resolve("bpfwatch.jar"));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        Path archive = dir.resolve("bpfwatch-run.jsa");
        Path configs = ConfigDir.bigCounter(Files.createDirectory(dir.resolve("configs")));
        String[] args = {"--config.dir=" + configs, "--bpf.pin-path=" + pins};

        // No archive: this run records one (at once here; a minute after the start by default).
        Map<String, String> first = Map.of("BPFWATCH_JAR", jar.toString(),
                "BPFWATCH_JAVA_OPTS", "-Dbpfwatch.cds.record.delay.seconds=0");
        String firstOutput;
        try (AgentProcess agent = AgentProcess.launch(Launcher.inRepo(), first, args)) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!agent.output().contains("class-data archive") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(agent.output().contains("class-data archive for the next start written: " + archive),
                    agent.output());
            assertEquals(200, Curl.get("http://127.0.0.1:" + agent.port() + "/metrics").status(),
                    "the agent serves on after the dump");
            assertEquals(0, agent.stop("TERM"), agent.output());
            firstOutput = agent.output();
        }
        assertTrue(Files.size(archive) > 1 << 20, "an archive of the agent's classes: " + Files.size(archive));
        assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0);
        try (Stream<Path> left = Files.list(dir)) {
            assertFalse(left.anyMatch(p -> p.toString().endsWith(".tmp")), "no partial archive left");
        }

        // The next start maps it (and records nothing).
        try (AgentProcess agent = AgentProcess.launch(Launcher.inRepo(), Map.of("BPFWATCH_JAR", jar.toString()), args)) {
            String maps = Files.readString(Path.of("/proc/" + agent.pid() + "/maps"));
            assertTrue(maps.contains(archive.toString()), "the JVM mapped " + archive);
            assertEquals(200, Curl.get("http://127.0.0.1:" + agent.port() + "/metrics").status());
            assertEquals(0, agent.stop("TERM"), agent.output());
            assertFalse(agent.output().contains("class-data archive"), agent.output());
            // CDS's own warnings (classes it cannot archive) stay out of the agent's log.
            assertFalse((firstOutput + agent.output()).contains("[warning]"), firstOutput + agent.output());
        }

        // A rebuilt jar: the archive is stale, ignored, and recorded again.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        try (AgentProcess agent = AgentProcess.launch(Launcher.inRepo(), Map.of("BPFWATCH_JAR", jar.toString()), args)) {
            String maps = Files.readString(Path.of("/proc/" + agent.pid() + "/maps"));
            assertFalse(maps.contains(archive.toString()), "a stale archive is not mapped");
            String cmdline = Files.readString(Path.of("/proc/" + agent.pid() + "/cmdline"));
            assertTrue(cmdline.contains("-Dbpfwatch.cds.record=" + archive), cmdline);
            agent.stop("TERM");
        }
    }
}
