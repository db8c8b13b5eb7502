package dev.bpfwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Command;
import dev.bpfwatch.testing.Launcher;
import dev.bpfwatch.testing.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `make install DESTDIR=...`: where each file goes for PREFIX=/usr/local and /usr, and that the installed launcher runs. */
@Tag("packaged")
class MakeInstallTest {
    @TempDir
    Path dir;

    @Test
    void usrLocalGetsTheLauncherJarAnAdministratorsUnitAndSampleConfigs() throws IOException {
        Path dest = dir.resolve("dest");
        install(dest);
        List<String> expected = new ArrayList<>(List.of(
                "etc/default/bpfwatch",
                "etc/systemd/system/bpfwatch.service",
                "usr/local/bin/bpfwatch",
                "usr/local/share/bpfwatch/bpfwatch.jar",
                "usr/local/share/bpfwatch/cds-archive.sh"));
        for (String c : DebianPackageTest.bundledConfigs()) {
            expected.addAll(List.of("etc/bpfwatch/" + c + ".yaml", "etc/bpfwatch/" + c + ".bpf.o",
                    "usr/local/share/bpfwatch/configs/" + c + ".bpf.o"));
        }
        assertEquals(expected.stream().sorted().toList(), files(dest));
        assertTrue(Files.isExecutable(dest.resolve("usr/local/bin/bpfwatch")));
        String unit = Files.readString(dest.resolve("etc/systemd/system/bpfwatch.service"));
        assertTrue(unit.contains("\nExecStart=/usr/local/bin/bpfwatch run "), unit);

        Path launcher = dest.resolve("usr/local/bin/bpfwatch");
        Command version = Launcher.run(launcher, Map.of("BPFWATCH_JAVA_OPTS", "-XshowSettings:properties"), "--version");
        assertEquals(0, version.exit(), version.err());
        assertEquals("bpfwatch " + DebianPackageTest.pomVersion() + "\n", version.out());
        assertTrue(version.err().contains("java.class.path = " + dest.resolve("usr/local/share/bpfwatch/bpfwatch.jar")),
                version.err());

        // each sample config's program: a link to the one under PREFIX, the object the build compiled
        for (String c : DebianPackageTest.bundledConfigs()) {
            Path link = Files.readSymbolicLink(dest.resolve("etc/bpfwatch/" + c + ".bpf.o"));
            assertEquals(Path.of("/usr/local/share/bpfwatch/configs/" + c + ".bpf.o"), link);
            assertEquals(-1L, Files.mismatch(dest.resolve(link.toString().substring(1)),
                    RepoFiles.path("exporter/target/classes/bpfwatch/configs/" + c + ".bpf.o")));
        }

        // an administrator's edit of a sample config survives a second install
        Path sample = dest.resolve("etc/bpfwatch/" + DebianPackageTest.bundledConfigs().get(0) + ".yaml");
        Files.writeString(sample, "# edited\n", java.nio.file.StandardOpenOption.APPEND);
        install(dest);
        assertTrue(Files.readString(sample).endsWith("# edited\n"), "sample config kept");
    }

    @Test
    void prefixUsrPutsTheUnitWithTheDistributionsUnits() throws IOException {
        Path dest = dir.resolve("usr");
        install(dest, "PREFIX=/usr");
        String unit = Files.readString(dest.resolve("lib/systemd/system/bpfwatch.service"));
        assertTrue(unit.contains("\nExecStart=/usr/bin/bpfwatch run "), unit);
        assertTrue(Files.isRegularFile(dest.resolve("usr/share/bpfwatch/bpfwatch.jar")));
        assertTrue(Files.notExists(dest.resolve("etc/systemd")), "nothing in the administrator's unit directory");
    }

    private static void install(Path dest, String... vars) {
        List<String> cmd = new ArrayList<>(List.of("make", "-s", "-C", RepoFiles.root().toString(), "install",
                "DESTDIR=" + dest));
        cmd.addAll(List.of(vars));
        Command make = Command.run(cmd);
        assertEquals(0, make.exit(), make.out() + make.err());
    }

    /** Every file and symbolic link under {@code root}, relative, sorted. */
    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
