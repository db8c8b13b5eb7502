package dev.bpfwatch.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Removing what bpfwatch pinned: `bpfwatch cleanup`. */
public final class Pins {
    private Pins() {
    }

    /** Deletes every pin and directory under {@code root} (and root itself); returns the pins removed. */
    public static List<Path> removeAll(Path root) {
        List<Path> removed = new ArrayList<>();
        if (!Files.exists(root)) {
            return removed;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                boolean dir = Files.isDirectory(p);
                Files.delete(p);
                if (!dir) {
                    removed.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("remove pins under " + root + ": " + e.getMessage(), e);
        }
        return removed;
    }
}
