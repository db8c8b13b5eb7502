package dev.bpfwatch.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code syscall}: an x86_64 syscall number, as the text {@code uint} wrote,
 * to its name (0 -> read). Unknown numbers become "unknown_syscall:&lt;n&gt;",
 * as in ebpf_exporter.
 *
 * <p>The table is the kernel's own: __NR_* of the newest asm/unistd_64.h,
 * which the kernel generates from arch/x86/entry/syscalls/syscall_64.tbl,
 * bundled as a resource because the host has no such file at run time.
 * ebpf_exporter's table comes from strace, whose names are its handlers',
 * shared between syscalls and between architectures: there 17 is "pread",
 * 94 (lchown) is "chown", 231 (exit_group) is "exit" and the time syscalls
 * carry a "_time64" suffix that only 32-bit architectures have. A label
 * should name the syscall the program saw, so the kernel's names win.
 */
public final class Syscall implements Decoder {
    static final String TABLE = "/bpfwatch/syscalls_x86_64.txt";

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        long number = Bytes.decimal(in);
        String name = Table.NAMES.get(number);
        return Bytes.utf8(name != null ? name : "unknown_syscall:" + Long.toUnsignedString(number));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireNumberText(inputSize);
        // Loads the table now, so a jar without it fails at config load.
        Table.NAMES.size();
    }

    /** Loaded on first use by the JVM's class initialisation: lazy and thread-safe for free. */
    private static final class Table {
        static final Map<Long, String> NAMES = load();

        private static Map<Long, String> load() {
            try (InputStream s = Syscall.class.getResourceAsStream(TABLE)) {
                if (s == null) {
                    throw new IllegalStateException("syscall table " + TABLE + " is missing from the jar");
                }
                Map<Long, String> names = new HashMap<>();
                BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8));
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] parts = line.trim().split("\\s+");
                    names.put(Long.parseLong(parts[0]), parts[1]);
                }
                return Map.copyOf(names);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + TABLE, e);
            }
        }
    }
}
