package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import jnr.ffi.Pointer;

/**
 * ebpf_exporter's {@code uprobe//proc/self/exe:post_attach_mark}: a program
 * its authors want run once, right after the exporter has attached
 * everything (to fill a gauge before the first event, as bpf-jit does). The
 * peer's binary has a function of that name it calls after attaching; this
 * process is a JVM, whose binary has none. So the probe goes on a function
 * only bpfwatch calls, in the libbpf library this process has mapped
 * ({@code libbpf_major_version}), for this process only, and {@link #fire}
 * calls it once a config is attached.
 */
record PostAttachMark() implements ExporterSection {
    static final String SECTION = "uprobe//proc/self/exe:post_attach_mark";
    private static final String FUNCTION = "libbpf_major_version";
    private static final int BPF_PROG_TYPE_KPROBE = 2;
    private static final int ENOENT = 2;
    /** struct bpf_uprobe_opts in libbpf 1.1: sz, ref_ctr_offset, bpf_cookie, retprobe, func_name. */
    private static final int OPTS_SIZE = 40;
    private static final int OPTS_FUNC_NAME = 32;

    @Override
    public int programType() {
        return BPF_PROG_TYPE_KPROBE;
    }

    @Override
    public int expectedAttachType() {
        return 0;
    }

    @Override
    public List<Pointer> attach(BpfProgram program) {
        String where = "attach " + program.name() + " (" + program.section() + ")";
        String library = mappedLibbpf().orElseThrow(() -> new LibbpfException(where, ENOENT,
                "libbpf is not mapped from a file this process can name"));
        int pid = (int) ProcessHandle.current().pid();
        byte[] function = (FUNCTION + "\0").getBytes(StandardCharsets.US_ASCII);
        LibbpfLog.Captured<Pointer> result;
        int err;
        // malloc'd, freed after the call: libbpf reads both only while attaching.
        try (NativeBuffer name = NativeBuffer.zeroed(function.length); NativeBuffer opts = NativeBuffer.zeroed(OPTS_SIZE)) {
            name.pointer().put(0, function, 0, function.length);
            opts.pointer().putLong(0, OPTS_SIZE);
            opts.pointer().putPointer(OPTS_FUNC_NAME, name.pointer());
            result = LibbpfLog.capture(() -> Native.BPF.bpf_program__attach_uprobe_opts(program.handle(), pid, library,
                    0, opts.pointer()));
            err = Native.errno();
        }
        if (result.result() == null) {
            throw new LibbpfException(where + " as a probe on " + FUNCTION + " in " + library, err,
                    LibbpfLog.lastLine(result.log()));
        }
        return List.of(result.result());
    }

    /** Runs every post-attach program attached in this process (each config's once more is harmless: they initialise). */
    static void fire() {
        Native.BPF.libbpf_major_version();
    }

    private static Optional<String> mappedLibbpf() {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.startsWith("/") && Path.of(p).getFileName().toString().startsWith("libbpf.so"))
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/self/maps: " + e.getMessage(), e);
        }
    }
}
