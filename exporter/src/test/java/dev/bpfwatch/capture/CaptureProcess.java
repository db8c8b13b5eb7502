package dev.bpfwatch.capture;

import dev.bpfwatch.testing.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** `bpfwatch xdpcap ...` in a child JVM, as an operator runs it: stopped by a signal, stderr kept. */
final class CaptureProcess implements AutoCloseable {
    private final Process process;
    private final Path err;
    private final Path out;

    private CaptureProcess(Process process, Path err, Path out) {
        this.process = process;
        this.err = err;
        this.out = out;
    }

    static CaptureProcess start(Path dir, String... args) {
        return start(java.util.Map.of(), dir, args);
    }

    /** As a script's `bpfwatch xdpcap ... &` starts it: with SIGINT ignored, as POSIX shells leave background jobs. */
    static CaptureProcess startInScriptBackground(Path dir, String... args) {
        return start(java.util.Map.of(), true, dir, args);
    }

    /** With system properties for the child JVM (given through JAVA_TOOL_OPTIONS). */
    static CaptureProcess start(java.util.Map<String, String> properties, Path dir, String... args) {
        return start(properties, false, dir, args);
    }

    private static CaptureProcess start(java.util.Map<String, String> properties, boolean interruptIgnored, Path dir,
                                        String... args) {
        try {
            Path err = Files.createTempFile(dir, "xdpcap", ".err");
            Path out = Files.createTempFile(dir, "xdpcap", ".out");
            List<String> cmd = ChildProcess.javaCommand(List.of(), "dev.bpfwatch.cli.Main",
                    concat(new String[] {"xdpcap"}, args));
            if (interruptIgnored) {
                List<String> shell = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
                shell.addAll(cmd);
                cmd = shell;
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile());
            if (!properties.isEmpty()) {
                StringBuilder opts = new StringBuilder();
                properties.forEach((k, v) -> opts.append(" -D").append(k).append('=').append(v));
                pb.environment().put("JAVA_TOOL_OPTIONS", opts.toString().trim());
            }
            Process p = pb.start();
            return new CaptureProcess(p, err, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    long pid() {
        return process.pid();
    }

    /** Waits until the capture's programs sit in the hook's slots (or it died). */
    void awaitInserted(Path pin, XdpAction... actions) {
        await(() -> {
            try (Hook h = Hook.open(pin)) {
                for (XdpAction a : actions) {
                    Optional<Integer> id = h.occupant(a);
                    if (id.isEmpty() || !programOwnedByMe(id.get())) {
                        return false;
                    }
                }
                return true;
            }
        }, "capture " + pid() + " in the hook");
    }

    private boolean programOwnedByMe(int id) {
        return dev.bpfwatch.libbpf.ProgramInfo.ofId(id).map(i -> i.name().equals(Hook.programName(pid()))).orElse(false);
    }

    void await(BooleanSupplier condition, String what) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("xdpcap exited " + process.exitValue() + " waiting for " + what + ": " + stderr());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what + ": " + stderr());
            }
            dev.bpfwatch.testing.TestNetns.sleep(50);
        }
    }

    void signal(String name) {
        dev.bpfwatch.testing.Command.ok("kill", "-" + name, Long.toString(pid()));
    }

    int waitFor() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("xdpcap did not exit: " + stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The file its stdout went to. */
    Path stdout() {
        return out;
    }

    String stderr() {
        try {
            return Files.readString(err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
