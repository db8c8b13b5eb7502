package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command line tool run to completion (openssl, curl): exit code and output, bounded in time. */
public record Command(int exit, String out, String err, long millis) {

    public static Command run(List<String> cmd) {
        try {
            long start = System.nanoTime();
            java.io.File errFile = java.io.File.createTempFile("cmd", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(errFile).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 60 s");
                }
                String err = java.nio.file.Files.readString(errFile.toPath());
                return new Command(p.exitValue(), out, err, (System.nanoTime() - start) / 1_000_000);
            } finally {
                errFile.delete();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Command run(String... cmd) {
        return run(List.of(cmd));
    }

    /** Runs it and fails the test with its stderr unless it exits 0. */
    public static Command ok(String... cmd) {
        Command c = run(cmd);
        if (c.exit != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + c.exit + ": " + c.err);
        }
        return c;
    }

    public static List<String> list(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
