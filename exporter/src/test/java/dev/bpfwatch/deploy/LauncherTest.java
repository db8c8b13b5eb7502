package dev.bpfwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Command;
import dev.bpfwatch.testing.Launcher;
import dev.bpfwatch.testing.RepoFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/bpfwatch with the jar the build made: which JVM flags each kind of command gets, and the CDS archive. */
@Tag("packaged")
class LauncherTest {
    private static final Path LAUNCHER = Launcher.inRepo();
    private static final Map<String, String> PRINT_FLAGS = Map.of("BPFWATCH_JAVA_OPTS", "-XX:+PrintCommandLineFlags");

    @TempDir
    Path dir;

    @Test
    void versionIsThePomsFromTheJarsManifest() {
        Matcher m = Pattern.compile("(?m)^  <version>(.+)</version>").matcher(RepoFiles.read("pom.xml"));
        assertTrue(m.find());
        for (String flag : List.of("--version", "-V")) {
            Command c = Launcher.run(LAUNCHER, Map.of(), flag);
            assertEquals(0, c.exit(), c.err());
            assertEquals("bpfwatch " + m.group(1) + "\n", c.out());
            assertEquals("", c.err());
        }
    }

    @Test
    void shortCommandsGetTheClientCompilerOnlyTheAgentKeepsC2AndBothExitOnOutOfMemory() {
        String cli = flags(Launcher.run(LAUNCHER, PRINT_FLAGS, "udp-limit", "status"));
        for (String f : List.of("-XX:+UseSerialGC", "-XX:MaxRAM=268435456", "-XX:+ExitOnOutOfMemoryError",
                "-XX:TieredStopAtLevel=1")) {
            assertTrue(cli.contains(f), f + " in " + cli);
        }
        // `run --help` is parsed by the agent's JVM flags: no command needs starting the agent to check them
        for (String command : List.of("run", "xdpcap")) {
            String agent = flags(Launcher.run(LAUNCHER, PRINT_FLAGS, command, "--help"));
            for (String f : List.of("-XX:+UseSerialGC", "-XX:MaxRAM=268435456", "-XX:+ExitOnOutOfMemoryError",
                    "-XX:ThreadStackSize=512")) {
                assertTrue(agent.contains(f), command + ": " + f + " in " + agent);
            }
            assertFalse(agent.contains("TieredStopAtLevel"), command + " keeps the optimising compiler: " + agent);
        }
    }

    @Test
    void environmentFlagsComeAfterTheShippedOnesAndWin() {
        Command c = Launcher.run(LAUNCHER, Map.of("BPFWATCH_JAVA_OPTS",
                "-XX:+PrintCommandLineFlags -XX:MaxRAM=1g -XX:-ExitOnOutOfMemoryError"), "run", "--help");
        String flags = flags(c);
        assertTrue(flags.contains("-XX:MaxRAM=1073741824"), flags);
        assertTrue(flags.contains("-XX:-ExitOnOutOfMemoryError"), flags);
        assertTrue(c.out().contains("Usage: bpfwatch run"), c.out());
    }

    @Test
    void aClassDataSharingArchiveIsUsedForTheJarItWasMadeForUntilTheJarChanges() throws Exception {
        Path jar = Files.copy(RepoFiles.path("exporter/target/bpfwatch.jar"), dir.resolve("bpfwatch.jar"));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        Command made = Command.run(RepoFiles.path("deploy/cds-archive.sh").toString(), jar.toString(),
                dir.resolve("bpfwatch.jsa").toString());
        assertEquals(0, made.exit(), made.err());
        assertTrue(Files.size(dir.resolve("bpfwatch.jsa")) > 1 << 20, "an archive of the JDK's and bpfwatch's classes");

        Map<String, String> env = Map.of("BPFWATCH_JAR", jar.toString(), "BPFWATCH_JAVA_OPTS", "-Xlog:class+load=info");
        Command fresh = Launcher.run(LAUNCHER, env, "udp-limit", "status");
        assertEquals(0, fresh.exit(), fresh.err());
        for (String cls : List.of("dev.bpfwatch.cli.Main", "dev.bpfwatch.cli.UdpLimitStatusCommand",
                "picocli.CommandLine ")) {
            assertTrue(loadedFrom(fresh, cls).contains("shared objects file"), cls + ": " + loadedFrom(fresh, cls));
        }

        // a rebuilt jar: the archive is older, the launcher leaves it out and classes come from the jar
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        Command stale = Launcher.run(LAUNCHER, env, "udp-limit", "status");
        assertEquals(0, stale.exit(), stale.err());
        assertTrue(loadedFrom(stale, "dev.bpfwatch.cli.Main").contains("source: file:"), loadedFrom(stale, "dev.bpfwatch.cli.Main"));
        assertTrue(stale.out().contains("no UDP rate-limit filters pinned") || stale.out().contains("filter "), stale.out());
    }

    @Test
    void aMissingJarIsOneLineAndExitTwo() {
        Command c = Launcher.run(LAUNCHER, Map.of("BPFWATCH_JAR", dir.resolve("nope.jar").toString()), "--version");
        assertEquals(2, c.exit());
        assertEquals("bpfwatch: BPFWATCH_JAR=" + dir.resolve("nope.jar") + ": no such file\n", c.err());
        assertEquals("", c.out());
    }

    @Test
    void badInputKeepsTheJarsExitCode() {
        Command c = Launcher.run(LAUNCHER, Map.of(), "udp-limit", "stat");
        assertEquals(2, c.exit());
        assertTrue(c.err().startsWith("bpfwatch: Unmatched argument at index 1: 'stat' (did you mean status"), c.err());
    }

    /** -XX:+PrintCommandLineFlags prints one line of every flag set, before the program runs. */
    private static String flags(Command c) {
        return c.out().lines().filter(l -> l.startsWith("-XX:")).findFirst()
                .orElseThrow(() -> new AssertionError("no flags line in:\n" + c.out() + c.err()));
    }

    private static String loadedFrom(Command c, String className) {
        String prefix = className.endsWith(" ") ? className : className + " ";
        return c.out().lines().filter(l -> l.contains("] " + prefix + "source:")).findFirst()
                .orElseThrow(() -> new AssertionError(className + " not loaded"));
    }
}
