package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input to `bpfwatch xdpcap` gets one line on stderr and exit 2,
 * and leaves nothing in the kernel: the valid hook stays empty and no
 * capture program is loaded.
 */
class XdpcapBadInputTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<Path> pins = new ArrayList<>();
    private Path hook;
    private BpfMap hookMap;

    @BeforeEach
    void pinHooks() {
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        hookMap = BpfMap.create(BpfMapType.PROG_ARRAY, "bad_input_hook", 4, 4, 5);
        cleanup.add(hookMap);
        hook = pin(hookMap, "hook");
    }

    @AfterEach
    void unpin() throws Exception {
        for (Path p : pins) {
            Files.deleteIfExists(p);
        }
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private Path pin(BpfMap map, String what) {
        Path p = Bpffs.DEFAULT.resolve("bwtest_" + what + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL));
        map.pin(p.toString());
        pins.add(p);
        return p;
    }

    @Test
    void badFiltersActionsAndSizes() {
        String out = dir.resolve("out.pcap").toString();
        String h = hook.toString();
        assertRefused("bpfwatch: filter 'tcp and port': can't parse filter expression: syntax error", h, out, "tcp", "and", "port");
        assertRefused("bpfwatch: filter 'host nosuchhost.invalid': unknown host 'nosuchhost.invalid'", h, out, "host nosuchhost.invalid");
        assertRefused("bpfwatch: raw filter: count says 3 instructions, 1 follow", h, out, "3,6 0 0 1");
        assertRefused("bpfwatch: raw filter: instruction 0 '6 0 1' is not 'code jt jf k'", h, out, "1,6 0 1");
        assertRefused("bpfwatch: raw filter: instruction 0: jt '256' is not a number from 0 to 255", h, out, "1,6 256 0 1");
        assertRefused("bpfwatch: raw filter: instruction count 0 is not between 1 and 4096", h, out, "0,");
        assertRefused("bpfwatch: filter instruction 0: unknown opcode 0xff", h, out, "2,255 0 0 0,6 0 0 1");
        assertRefused("bpfwatch: filter instruction 0: division by the constant 0", h, out, "2,52 0 0 0,6 0 0 1");
        assertRefused("bpfwatch: filter instruction 0: shift by 32 (must be below 32)", h, out, "2,100 0 0 32,6 0 0 1");
        assertRefused("bpfwatch: filter instruction 0: scratch memory M[16] does not exist (0-15)", h, out, "2,2 0 0 16,6 0 0 1");
        assertRefused("bpfwatch: filter instruction 0: jump past the end of the program", h, out, "2,21 0 1 0,6 0 0 1");
        assertRefused("bpfwatch: filter instruction 0: the last instruction must be a ret", h, out, "1,0 0 0 0");
        assertRefused("bpfwatch: --actions: unknown XDP action 'dorp' (known: aborted, drop, pass, tx, redirect)",
                "--actions", "pass,dorp", h, out);
        assertRefused("bpfwatch: --watermark: 8192 must be at least 0 and below --buffer (8192)",
                "--buffer", "8192", "--watermark", "8192", h, out);
        assertRefused("bpfwatch: Missing required parameter: 'OUTPUT'", h);
    }

    @Test
    void badHooksAndOutputs() throws IOException {
        String out = dir.resolve("out.pcap").toString();
        BpfMap array = BpfMap.create(BpfMapType.ARRAY, "bad_input_array", 4, 4, 5);
        cleanup.add(array);
        Path notProgArray = pin(array, "array");
        BpfMap small = BpfMap.create(BpfMapType.PROG_ARRAY, "bad_input_small", 4, 4, 2);
        cleanup.add(small);
        Path twoSlots = pin(small, "small");
        BpfObject obj = BpfObject.open(Resources.testObject("xdpcap_instrumented"));
        cleanup.add(obj);
        obj.load();
        Path program = Bpffs.DEFAULT.resolve("bwtest_prog_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL));
        obj.program("xdpcap_instrumented").orElseThrow().pin(program.toString());
        pins.add(program);
        Path missing = dir.resolve("no-such-pin");

        assertRefused("bpfwatch: hook " + notProgArray + ": map type ARRAY, not PROG_ARRAY", notProgArray.toString(), out);
        assertRefused("bpfwatch: hook " + twoSlots + ": has 2 slots, needs one per XDP action (5)", twoSlots.toString(), out);
        assertRefused("bpfwatch: hook " + program + ": not a pinned map (EINVAL)", program.toString(), out);
        assertRefused("bpfwatch: hook " + missing + ": no such pin", missing.toString(), out);
        assertRefused("bpfwatch: hook " + notProgArray + ": map type ARRAY, not PROG_ARRAY", "--check", notProgArray.toString());
        assertRefused("bpfwatch: cannot write " + dir + "/none/out.pcap: no such directory", hook.toString(),
                dir.resolve("none/out.pcap").toString());
        Files.createDirectory(dir.resolve("adir"));
        assertRefused("bpfwatch: cannot write " + dir + "/adir: Is a directory", hook.toString(), dir.resolve("adir").toString());
    }

    @Test
    void checkDescribesAValidHook() {
        CliRun check = CliRun.of("xdpcap", "--check", hook.toString());
        assertEquals(0, check.exit());
        assertEquals("hook " + hook + ": PROG_ARRAY id " + hookMap.id() + ", 5 slots: valid\n"
                + "slots: aborted empty, drop empty, pass empty, tx empty, redirect empty\n", check.out());
    }

    private void assertRefused(String line, String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "xdpcap";
        System.arraycopy(args, 0, full, 1, args.length);
        CliRun run = CliRun.of(full);
        assertEquals(2, run.exit(), String.join(" ", args) + ": " + run.err());
        assertEquals(line + "\n", run.err(), String.join(" ", args));
        assertEquals("", run.out());
        for (int slot = 0; slot < 5; slot++) {
            byte[] key = {(byte) slot, 0, 0, 0};
            assertEquals(java.util.Optional.empty(), hookMap.lookup(key), "slot " + slot + " after " + String.join(" ", args));
        }
        assertEquals(java.util.Set.of(), Bpftool.programIds("xdpcap_" + ProcessHandle.current().pid()),
                "capture programs loaded after " + String.join(" ", args));
    }
}
