package dev.bpfwatch.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kernel addresses to symbol names, from kallsyms ("ffffffff81000000 T
 * _text [module]" lines), shared by {@code ksym} and {@code kstack}. The
 * table is read on first use and kept sorted for binary search.
 *
 * <p>Symbols come and go after start: modules load, BPF programs are JITed
 * (their images and trampolines show up as "bpf_prog_..." symbols). So
 * kallsyms is read again when an answer may be out of date: an address with
 * no symbol of its own ({@link #exact}), or a return address outside the
 * kernel's own text, where the nearest symbol below may belong to code that
 * was there before ({@link #frame}). A re-read parses all of kallsyms (120k
 * lines here), so it runs at most once per {@link Throttle} interval; an answer
 * given without it is provisional, and never cached as a label.
 */
final class KernelSymbols {
    /** Addresses remembered as checked against a fresh table; more than this starts the set again. */
    private static final int MAX_CHECKED = 100_000;

    private final Path kallsyms;
    private final Throttle reload;
    private volatile Table table;
    /** Addresses outside the kernel's text, by the time they were first looked up. */
    private final Map<Long, Long> firstSeen = new ConcurrentHashMap<>();

    KernelSymbols(Path kallsyms, Throttle reload) {
        this.kallsyms = kallsyms;
        this.reload = reload;
    }

    /** A symbol's name (null: none), and whether it may be out of date (see {@link Decoded}). */
    record Answer(String name, boolean provisional) {
    }

    /**
     * The symbol that starts exactly at {@code address} (ebpf_exporter's
     * ksym: an address of a function, not one inside it). A miss re-reads
     * kallsyms (throttled); a miss that remains is provisional.
     */
    Answer exact(long address) throws DecoderException {
        Table t = table();
        String name = t.exact(address);
        if (name == null && reload.tryAcquire()) {
            t = reload();
            name = t.exact(address);
        }
        return new Answer(name, name == null);
    }

    /**
     * The symbol at or nearest below {@code address}: a return address
     * inside a function names that function. Inside the kernel's own text
     * (_stext to _etext) that never changes; elsewhere (modules, BPF) the
     * answer holds only from a table read after the address was first seen,
     * so such an address re-reads kallsyms (throttled) and is provisional
     * until then.
     */
    Answer frame(long address) throws DecoderException {
        Table t = table();
        if (t.inKernelText(address)) {
            return new Answer(t.nearest(address), false);
        }
        if (firstSeen.size() > MAX_CHECKED) {
            firstSeen.clear();
        }
        long seen = firstSeen.computeIfAbsent(address, a -> reload.now());
        if (t.readAt - seen < 0 && reload.tryAcquire()) {
            t = reload();
        }
        return new Answer(t.nearest(address), t.readAt - seen < 0);
    }

    private Table reload() throws DecoderException {
        Table t = load();
        table = t;
        return t;
    }

    /**
     * Reads the table now, at config load, so that a scrape never pays for
     * it and an unreadable kallsyms fails the load rather than every sample.
     */
    void preload() {
        try {
            table();
        } catch (DecoderException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private Table table() throws DecoderException {
        Table t = table;
        if (t == null) {
            synchronized (this) {
                t = table;
                if (t == null) {
                    reload.tryAcquire(); // the first load counts as a reload
                    t = load();
                    table = t;
                }
            }
        }
        return t;
    }

    private Table load() throws DecoderException {
        // Taken before the read: what was loaded before this moment is in the table.
        long readAt = reload.now();
        List<Table.Sym> syms = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(kallsyms, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                Table.Sym s = parse(line);
                if (s != null) {
                    syms.add(s);
                }
            }
        } catch (IOException e) {
            throw new DecoderException("cannot read " + kallsyms + ": " + e.getMessage());
        }
        return Table.of(syms, readAt);
    }

    /** "address type name[\tmodule]"; by hand, as a regex split per line doubles the load time. */
    private static Table.Sym parse(String line) {
        int afterAddress = line.indexOf(' ');
        int afterType = afterAddress < 0 ? -1 : line.indexOf(' ', afterAddress + 1);
        if (afterType < 0) {
            return null;
        }
        int end = afterType + 1;
        while (end < line.length() && line.charAt(end) != '\t' && line.charAt(end) != ' ') {
            end++;
        }
        String name = line.substring(afterType + 1, end);
        long address;
        try {
            address = Long.parseUnsignedLong(line, 0, afterAddress, 16);
        } catch (NumberFormatException e) {
            return null;
        }
        // Without CAP_SYSLOG (or with kptr_restrict) every address reads as 0:
        // such entries would make every address "nearest" to one random name.
        return address == 0 || name.isEmpty() ? null : new Table.Sym(address, name);
    }

    /** Addresses sorted as unsigned numbers, with their names. */
    private static final class Table {
        record Sym(long address, String name) {
        }

        private final long[] addresses;
        private final String[] names;
        /** The kernel's own text, which no load changes; empty (start 0, end 0) if kallsyms lacks the markers. */
        private final long textStart;
        private final long textEnd;
        final long readAt;

        private Table(long[] addresses, String[] names, long textStart, long textEnd, long readAt) {
            this.addresses = addresses;
            this.names = names;
            this.textStart = textStart;
            this.textEnd = textEnd;
            this.readAt = readAt;
        }

        static Table of(List<Sym> syms, long readAt) {
            long textStart = 0;
            long textEnd = 0;
            for (Sym s : syms) {
                if (s.name().equals("_stext")) {
                    textStart = s.address();
                } else if (s.name().equals("_etext")) {
                    textEnd = s.address();
                }
            }
            // Stable sort: of several names at one address, the first listed wins,
            // so the same address always gives the same name.
            syms.sort((a, b) -> Long.compareUnsigned(a.address(), b.address()));
            long[] addresses = new long[syms.size()];
            String[] names = new String[syms.size()];
            int n = 0;
            for (Sym s : syms) {
                if (n > 0 && addresses[n - 1] == s.address()) {
                    continue;
                }
                addresses[n] = s.address();
                names[n] = s.name();
                n++;
            }
            return new Table(Arrays.copyOf(addresses, n), Arrays.copyOf(names, n), textStart, textEnd, readAt);
        }

        boolean inKernelText(long address) {
            return Long.compareUnsigned(address, textStart) >= 0 && Long.compareUnsigned(address, textEnd) < 0;
        }

        String exact(long address) {
            int i = atOrBelow(address);
            return i >= 0 && addresses[i] == address ? names[i] : null;
        }

        String nearest(long address) {
            int i = atOrBelow(address);
            return i < 0 ? null : names[i];
        }

        /** Index of the last symbol at or below the address (unsigned), -1 if none. */
        private int atOrBelow(long address) {
            int lo = 0;
            int hi = addresses.length - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found;
        }
    }
}
