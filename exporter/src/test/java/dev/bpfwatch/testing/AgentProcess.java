package dev.bpfwatch.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** `bpfwatch run` in its own JVM, as an operator runs it: for restarts and signals. */
public final class AgentProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving on https?://\\S+:(\\d+) ");

    private final Process process;
    private final int port;
    private final StringBuilder output;

    private AgentProcess(Process process, int port, StringBuilder output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    public static AgentProcess start(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (KernelMatrix.inGuest()) {
            // Under emulation C2 compiles cost more than they save (as for the test JVM itself).
            cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UnlockDiagnosticVMOptions",
                    "-XX:-BytecodeVerificationRemote"));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.bpfwatch.cli.Main", "run",
                "--web.listen-address=127.0.0.1:0"));
        cmd.addAll(List.of(args));
        return start(cmd, Map.of());
    }

    /** As {@link #start(String...)}, from a shell that ignores SIGHUP first, as `nohup` does. */
    public static AgentProcess startWithHangupIgnored(String... args) {
        return startWithIgnored("HUP", args);
    }

    /** As a script's `bpfwatch run ... &` starts it: SIGINT ignored, as POSIX shells leave background jobs. */
    public static AgentProcess startWithInterruptIgnored(String... args) {
        return startWithIgnored("INT", args);
    }

    private static AgentProcess startWithIgnored(String signal, String... args) {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.bpfwatch.cli.Main", "run",
                "--web.listen-address=127.0.0.1:0"));
        java.addAll(List.of(args));
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "trap '' " + signal + "; exec \"$@\"", "sh"));
        cmd.addAll(java);
        return start(cmd, Map.of());
    }

    /** `LAUNCHER run` (bin/bpfwatch, or one unpacked from the package) with extra environment, as an operator runs it. */
    public static AgentProcess launch(Path launcher, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "run", "--web.listen-address=127.0.0.1:0"));
        cmd.addAll(List.of(args));
        return start(cmd, env);
    }

    private static AgentProcess start(List<String> cmd, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(KernelMatrix.inGuest() ? 300 : 60);
            String line;
            while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
                seen.append(line).append('\n');
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    Thread drain = new Thread(() -> drain(out, seen), "agent-output");
                    drain.setDaemon(true);
                    drain.start();
                    return new AgentProcess(p, Integer.parseInt(m.group(1)), seen);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("agent did not start:\n" + seen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void drain(BufferedReader out, StringBuilder seen) {
        try {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (seen) {
                    seen.append(line).append('\n');
                }
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    public void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The exit code once the process has ended, or empty if it is still running after {@code timeout}. */
    public OptionalInt awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** Sends a signal and waits for the exit; returns the exit code. */
    public int stop(String signalName) {
        signal(signalName);
        try {
            if (!process.waitFor(KernelMatrix.inGuest() ? 120 : 30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("agent did not exit on SIG" + signalName + ":\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
