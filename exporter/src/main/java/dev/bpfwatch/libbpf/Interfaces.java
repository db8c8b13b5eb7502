package dev.bpfwatch.libbpf;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** Network interfaces of the calling thread's network namespace, by index. */
public final class Interfaces {
    private static final int IF_NAMESIZE = 16;

    private Interfaces() {
    }

    /** The interface's name now (if_indextoname(3)), empty when no interface has that index. */
    public static Optional<String> name(int index) {
        Pointer buf = Memory.allocateDirect(Native.RUNTIME, IF_NAMESIZE);
        if (Native.LIBC.if_indextoname(index, buf) == null) {
            return Optional.empty();
        }
        return Optional.of(buf.getString(0, IF_NAMESIZE, StandardCharsets.US_ASCII));
    }
}
