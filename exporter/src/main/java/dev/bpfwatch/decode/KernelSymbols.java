package dev.bpfwatch.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Kernel addresses to symbol names, from kallsyms ("ffffffff81000000 T
 * _text [module]" lines), shared by {@code ksym} and {@code kstack}. The
 * table is read on first use, kept sorted for binary search, and re-read
 * when an address falls below every known symbol (at most once a second:
 * kallsyms is some 200k lines).
 */
final class KernelSymbols {
    private final Path kallsyms;
    private final Throttle reload;
    private volatile Table table;

    KernelSymbols(Path kallsyms, Throttle reload) {
        this.kallsyms = kallsyms;
        this.reload = reload;
    }

    /**
     * The symbol at or nearest below {@code address} (an address inside a
     * function names that function), or null when none is.
     */
    String nearest(long address) throws DecoderException {
        Table t = table();
        String name = t.nearest(address);
        if (name == null && reload.tryAcquire()) {
            t = load();
            table = t;
            name = t.nearest(address);
        }
        return name;
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
        return Table.of(syms);
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

        private Table(long[] addresses, String[] names) {
            this.addresses = addresses;
            this.names = names;
        }

        static Table of(List<Sym> syms) {
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
            return new Table(Arrays.copyOf(addresses, n), Arrays.copyOf(names, n));
        }

        String nearest(long address) {
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
            return found < 0 ? null : names[found];
        }
    }
}
