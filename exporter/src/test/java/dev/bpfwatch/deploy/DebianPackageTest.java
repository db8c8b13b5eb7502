package dev.bpfwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.Command;
import dev.bpfwatch.testing.Curl;
import dev.bpfwatch.testing.Launcher;
import dev.bpfwatch.testing.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `make deb` on the jar the build made: the files it holds, its control data, what lintian
 * says, and the launcher from the unpacked package (dpkg-deb -x, not installed) probing the
 * kernel and serving /metrics.
 */
@Tag("packaged")
class DebianPackageTest {
    @TempDir
    static Path dir;
    private static Path deb;
    private static final Path PINS = Path.of("/sys/fs/bpf/bpfwatch-test-deb-" + ProcessHandle.current().pid());

    @BeforeAll
    static void build() {
        deb = dir.resolve("bpfwatch.deb");
        Command make = Command.run("make", "-s", "-C", RepoFiles.root().toString(), "deb", "DEB=" + deb);
        assertEquals(0, make.exit(), make.out() + make.err());
        assertTrue(Files.isRegularFile(deb), make.out());
    }

    @AfterAll
    static void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + PINS);
    }

    @Test
    void holdsTheLauncherJarUnitAndSampleConfigsOwnedByRoot() throws IOException {
        List<String> expected = new ArrayList<>(List.of(
                "drwxr-xr-x ./",
                "drwxr-xr-x ./etc/",
                "drwxr-xr-x ./etc/bpfwatch/",
                "drwxr-xr-x ./etc/default/",
                "-rw-r--r-- ./etc/default/bpfwatch",
                "drwxr-xr-x ./lib/",
                "drwxr-xr-x ./lib/systemd/",
                "drwxr-xr-x ./lib/systemd/system/",
                "-rw-r--r-- ./lib/systemd/system/bpfwatch.service",
                "drwxr-xr-x ./usr/",
                "drwxr-xr-x ./usr/bin/",
                "-rwxr-xr-x ./usr/bin/bpfwatch",
                "drwxr-xr-x ./usr/share/",
                "drwxr-xr-x ./usr/share/bpfwatch/",
                "-rw-r--r-- ./usr/share/bpfwatch/bpfwatch.jar",
                "-rwxr-xr-x ./usr/share/bpfwatch/cds-archive.sh",
                "drwxr-xr-x ./usr/share/bpfwatch/configs/",
                "drwxr-xr-x ./usr/share/doc/",
                "drwxr-xr-x ./usr/share/doc/bpfwatch/",
                "-rw-r--r-- ./usr/share/doc/bpfwatch/README.md.gz",
                "-rw-r--r-- ./usr/share/doc/bpfwatch/changelog.gz",
                "-rw-r--r-- ./usr/share/doc/bpfwatch/copyright",
                "drwxr-xr-x ./usr/share/lintian/",
                "drwxr-xr-x ./usr/share/lintian/overrides/",
                "-rw-r--r-- ./usr/share/lintian/overrides/bpfwatch"));
        for (String config : bundledConfigs()) {
            expected.add("-rw-r--r-- ./etc/bpfwatch/" + config + ".yaml");
            expected.add("lrwxrwxrwx ./etc/bpfwatch/" + config + ".bpf.o -> /usr/share/bpfwatch/configs/" + config + ".bpf.o");
            expected.add("-rw-r--r-- ./usr/share/bpfwatch/configs/" + config + ".bpf.o");
        }
        List<String> contents = new ArrayList<>();
        for (String line : Command.ok("dpkg-deb", "--contents", deb.toString()).out().lines().toList()) {
            // drwxr-xr-x root/root 0 2026-11-26 17:08 ./etc/  ->  mode path; every file root's
            String[] f = line.split("\\s+", 6);
            assertEquals("root/root", f[1], line);
            contents.add(f[0] + " " + f[5]);
        }
        assertEquals(expected.stream().sorted().toList(), contents.stream().sorted().toList());
    }

    @Test
    void controlDependsOnJava17AndLibbpfAndMarksEtcAsConffiles() {
        Map<String, String> want = Map.of(
                "Package", "bpfwatch",
                "Version", pomVersion().replace('-', '~'),
                "Architecture", "all",
                "Depends", "openjdk-17-jre-headless (>= 17.0.9) | java17-runtime-headless, libbpf1");
        want.forEach((field, value) ->
                assertEquals(value, Command.ok("dpkg-deb", "--field", deb.toString(), field).out().strip(), field));
        Path control = dir.resolve("control");
        Command.ok("dpkg-deb", "--control", deb.toString(), control.toString());
        List<String> conffiles = new ArrayList<>(List.of("/etc/default/bpfwatch"));
        bundledConfigs().forEach(c -> conffiles.add("/etc/bpfwatch/" + c + ".yaml"));
        assertEquals(conffiles.stream().sorted().toList(), read(control.resolve("conffiles")).lines().sorted().toList());
        assertTrue(read(control.resolve("postinst")).contains("cds-archive.sh"), "postinst makes the CDS archive");
    }

    @Test
    void lintianReportsNoErrors() {
        Command lintian = Command.run("lintian", "--fail-on", "error", deb.toString());
        List<String> tags = lintian.out().lines().filter(l -> l.matches("^[EWIPX]: .*")).toList();
        System.out.println("lintian " + deb.getFileName() + ":\n" + String.join("\n", tags));
        assertEquals(List.of(), tags.stream().filter(t -> t.startsWith("E: ")).toList());
        assertEquals(0, lintian.exit(), lintian.out() + lintian.err());
    }

    @Test
    void theUnpackedLauncherRunsItsOwnJarProbesAndServesMetrics() {
        Path root = dir.resolve("root");
        Command.ok("dpkg-deb", "-x", deb.toString(), root.toString());
        Path launcher = root.resolve("usr/bin/bpfwatch");

        Command settings = Launcher.run(launcher, Map.of("BPFWATCH_JAVA_OPTS", "-XshowSettings:properties"), "--version");
        assertEquals(0, settings.exit(), settings.err());
        assertTrue(settings.err().contains("java.class.path = " + root.resolve("usr/share/bpfwatch/bpfwatch.jar")),
                "the package's jar, not the source tree's: " + settings.err());

        Command probe = Launcher.run(launcher, Map.of(), "probe");
        assertEquals(0, probe.exit(), probe.err());
        assertTrue(probe.out().contains("socket filter"), probe.out());

        try (AgentProcess agent = AgentProcess.launch(launcher, Map.of(), "--bpf.pin-path=" + PINS)) {
            Curl metrics = Curl.get("http://127.0.0.1:" + agent.port() + "/metrics");
            assertEquals(200, metrics.status(), Curl.describe(metrics));
            assertTrue(metrics.body().contains("bpfwatch_config_last_reload_successful 1.0"), metrics.body());
            for (String config : bundledConfigs()) {
                assertTrue(metrics.body().contains("config=\"" + config + "\""), config + " runs from the jar");
            }
            assertEquals(0, agent.stop("TERM"), agent.output());
        }
    }

    static List<String> bundledConfigs() {
        try (Stream<Path> files = Files.list(RepoFiles.path("configs"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String pomVersion() {
        Matcher m = Pattern.compile("(?m)^  <version>(.+)</version>").matcher(RepoFiles.read("pom.xml"));
        assertTrue(m.find(), "pom.xml has a version");
        return m.group(1);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
