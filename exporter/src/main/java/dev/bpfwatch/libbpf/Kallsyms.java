package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** One question to /proc/kallsyms, for the rare moments that need it (a failed attach, a program left out). */
public final class Kallsyms {
    private static final Path FILE = Path.of("/proc/kallsyms");

    private Kallsyms() {
    }

    /** Whether the kernel (or a loaded module) has a symbol of that name; empty when the file cannot be read. */
    public static Optional<Boolean> has(String symbol) {
        try (Stream<String> lines = Files.lines(FILE)) {
            // "ADDRESS TYPE NAME" or "ADDRESS TYPE NAME\t[MODULE]"
            return Optional.of(lines.anyMatch(l -> {
                int b = l.indexOf(' ', l.indexOf(' ') + 1);
                if (b < 0) {
                    return false;
                }
                int end = l.indexOf('\t', b + 1);
                return l.regionMatches(b + 1, symbol, 0, symbol.length())
                        && (end < 0 ? l.length() : end) == b + 1 + symbol.length();
            }));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
