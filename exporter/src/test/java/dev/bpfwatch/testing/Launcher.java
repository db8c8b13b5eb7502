package dev.bpfwatch.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** bin/bpfwatch (or a launcher from the package) run to its end as users run it: environment in, exit code and output back. */
public final class Launcher {
    private Launcher() {
    }

    /** The launcher of this source tree; it finds exporter/target/bpfwatch.jar beside it. */
    public static Path inRepo() {
        return RepoFiles.path("bin/bpfwatch");
    }

    /** Runs {@code launcher args}, at most two minutes, with {@code env} added to the environment. */
    public static Command run(Path launcher, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, env);
    }

    /** Any command, bounded and with extra environment (Command.run has neither). */
    public static Command exec(List<String> cmd, Map<String, String> env) {
        try {
            File err = File.createTempFile("launcher", ".err");
            try {
                long start = System.nanoTime();
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err);
                pb.environment().putAll(env);
                Process p = pb.start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", cmd) + ": did not end in 2 minutes");
                }
                return new Command(p.exitValue(), out, Files.readString(err.toPath()),
                        (System.nanoTime() - start) / 1_000_000);
            } finally {
                err.delete();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
