package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Prometheus's own linter for expositions (Debian's prometheus package). */
public final class Promtool {
    private Promtool() {
    }

    /** What `promtool check metrics` says about the exposition; empty when it has no complaint. */
    public static String checkMetrics(String exposition) {
        try {
            Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(exposition.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int rc = p.waitFor();
            return rc == 0 && out.isEmpty() ? "" : "exit " + rc + ": " + out;
        } catch (IOException e) {
            throw new UncheckedIOException("promtool not runnable (apt-get install prometheus): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
