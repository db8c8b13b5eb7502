package dev.bpfwatch.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.Bpffs;
import java.util.ArrayList;
import java.util.List;

/**
 * The check of every attach type that counts getpgid calls: the object goes
 * the way a config's does (open, load, attach each program by its section),
 * the test makes a known number of magic calls, the program must have
 * counted exactly those, nothing after detaching, and nothing of the object
 * may stay in the kernel once it is closed.
 */
public final class MagicCallCheck {
    /** Small: the kernel matrix runs this under emulation, where each call is slow. */
    public static final int CALLS = 25;
    private static final int CALLS_AFTER_DETACH = 3;

    private MagicCallCheck() {
    }

    /** The kernel table's row of an attach type. */
    public static String feature(String attachType) {
        return "attach: " + attachType;
    }

    /** Runs the check on programs/testdata/{@code object}.bpf.c. */
    public static void run(String object) {
        long pid = ProcessHandle.current().pid();
        List<String> programs = new ArrayList<>();
        List<String> maps = new ArrayList<>();
        try (BpfObject obj = BpfObject.open(Resources.testObject(object))) {
            obj.programs().forEach(p -> programs.add(p.name()));
            // libbpf's internal maps (.rodata, .bss) carry another name in the kernel: check the declared ones.
            obj.mapNames().stream().filter(m -> !m.startsWith(".")).forEach(maps::add);
            obj.load();
            List<BpfLink> links = new ArrayList<>();
            for (BpfProgram p : obj.programs()) {
                if (p.section().startsWith("tracepoint/")) {
                    Bpffs.ensureTracefsMounted(); // as the agent does before attaching tracepoints
                }
                links.add(p.attach());
            }
            BpfMap calls = obj.map("magic_calls").orElseThrow();
            assertEquals(0, MagicCalls.counted(calls, pid), object + ": counted before any call");

            MagicCalls.make(CALLS);
            assertEquals(CALLS, MagicCalls.counted(calls, pid),
                    object + ": each magic call counted once, the ordinary ones not");

            links.forEach(BpfLink::close);
            MagicCalls.make(CALLS_AFTER_DETACH);
            assertEquals(CALLS, MagicCalls.counted(calls, pid), object + ": counted after detaching");
        }
        for (String p : programs) {
            assertEquals(0, Bpftool.countOwnPrograms(p), p + " still held after close");
        }
        for (String m : maps) {
            assertEquals(0, Bpftool.countOwnMaps(m), "map " + m + " still held after close");
        }
        KernelMatrix.works(feature(object.replaceFirst("^attach_", "")), "exact (" + CALLS + " of " + CALLS + " calls)");
    }
}
