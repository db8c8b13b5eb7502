package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a test runs in the kernel matrix, and what it found there.
 *
 * <p>matrix/run-matrix.sh starts each guest's tests with
 * {@code -Dbpfwatch.matrix.kernel=NAME -Dbpfwatch.matrix.out=DIR}. A test
 * that proved a feature records one cell for README's kernel table (works,
 * degraded and how, not available and why) into DIR/features.tsv; on this
 * host (Surefire) the cells go to target/matrix/host/features.tsv, the
 * table's host column. Only tests that passed their assertions record, so a
 * cell is never written for something that failed.
 */
public final class KernelMatrix {
    private KernelMatrix() {
    }

    /** True inside a matrix guest: a stock kernel where every attach type exists. */
    public static boolean inGuest() {
        return System.getProperty("bpfwatch.matrix.kernel") != null;
    }

    /** The guest's kernel name (5.10, 6.1, ...) or "host". */
    public static String kernel() {
        return System.getProperty("bpfwatch.matrix.kernel", "host");
    }

    public static void works(String feature) {
        record(feature, "works");
    }

    public static void works(String feature, String detail) {
        record(feature, "works: " + detail);
    }

    public static void degraded(String feature, String how) {
        record(feature, "degraded: " + how);
    }

    public static void notAvailable(String feature, String why) {
        record(feature, "not available: " + why);
    }

    private static synchronized void record(String feature, String cell) {
        Path dir = Path.of(System.getProperty("bpfwatch.matrix.out", "target/matrix/host"));
        String line = feature.replace('\t', ' ') + '\t' + cell.replace('\t', ' ').replace('\n', ' ') + '\n';
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("features.tsv"), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
