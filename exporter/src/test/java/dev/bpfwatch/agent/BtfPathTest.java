package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.CustomBtf;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.MagicCalls;
import dev.bpfwatch.testing.Resources;
import dev.bpfwatch.testing.Scrape;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --btf.path: libbpf resolves the configs' CO-RE relocations against the
 * given BTF instead of the kernel's. programs/testdata/btf_marker.bpf.c
 * counts its runs under whether a type only its own BTF has was found: with
 * that BTF as --btf.path every run counts under found="1", without it under
 * found="0". A file that is not BTF is refused before libbpf reads it.
 */
class BtfPathTest {
    private static final String CONFIG = """
            metrics:
              counters:
                - name: btf_marker_calls_total
                  help: getpgid calls, by whether CO-RE found the marker type
                  labels:
                    - name: found
                      size: 4
                      decoders:
                        - name: uint
            """;
    private static final String SERIES = "bpfwatch_btf_marker_calls_total";

    @TempDir
    Path dir;

    private String countAfterCalls(CustomBtf btf) {
        ConfigDir.with(dir, "marker", "btf_marker", CONFIG);
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withBtf(btf), List.of())) {
            MagicCalls.make(5); // 10 getpgid calls from this process alone
            return Scrape.metrics(agent.port());
        }
    }

    @Test
    void objectWithTheTypeAsBtfPathResolvesIt() {
        String e = countAfterCalls(CustomBtf.check(Resources.testObject("btf_marker")));
        assertTrue(Scrape.value(e, SERIES, "found=\"1\"") >= 10, e);
        assertEquals(0, Scrape.value(e, SERIES, "found=\"0\""), e);
    }

    @Test
    void rawBtfAsBtfPathResolvesIt() throws Exception {
        Path raw = dir.resolve("marker.btf");
        Process p = new ProcessBuilder("llvm-objcopy", "--dump-section", ".BTF=" + raw,
                Resources.testObject("btf_marker").toString(), dir.resolve("discard.o").toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        String e = countAfterCalls(CustomBtf.check(raw));
        assertTrue(Scrape.value(e, SERIES, "found=\"1\"") >= 10, e);
        assertEquals(0, Scrape.value(e, SERIES, "found=\"0\""), e);
    }

    @Test
    void withoutBtfPathTheKernelsBtfHasNoSuchType() {
        String e = countAfterCalls(null);
        assertTrue(Scrape.value(e, SERIES, "found=\"0\"") >= 10, e);
        assertEquals(0, Scrape.value(e, SERIES, "found=\"1\""), e);
    }

    @Test
    void notBtfIsBadInputInOneLine() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.btf"), "this is not BTF at all, just text\n");
        CliRun run = CliRun.of("run", "--web.listen-address=127.0.0.1:0", "--bpf.pin-path=",
                "--btf.path=" + junk);
        assertEquals(2, run.exit(), run.toString());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("--btf.path " + junk + ": "), run.err());
        CliRun missing = CliRun.of("run", "--web.listen-address=127.0.0.1:0", "--bpf.pin-path=",
                "--btf.path=" + dir.resolve("absent.btf"));
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("--btf.path " + dir.resolve("absent.btf")), missing.err());
    }

    @Test
    void checkTakesItToo() throws IOException {
        ConfigDir.with(dir, "marker", "btf_marker", CONFIG);
        CliRun good = CliRun.of("check", "--config.dir=" + dir,
                "--btf.path=" + Resources.testObject("btf_marker"));
        assertEquals(0, good.exit(), good.toString());
        assertTrue(good.out().contains("ok: marker"), good.toString());
        Path junk = Files.writeString(dir.resolve("junk.btf"), "not BTF\n");
        CliRun bad = CliRun.of("check", "--config.dir=" + dir, "--btf.path=" + junk);
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("--btf.path " + junk + ": "), bad.err());
    }
}
