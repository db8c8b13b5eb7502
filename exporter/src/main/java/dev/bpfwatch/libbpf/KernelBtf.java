package dev.bpfwatch.libbpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import jnr.ffi.Pointer;

/**
 * The running kernel's BTF (/sys/kernel/btf/vmlinux), read through libbpf.
 * bpfwatch asks it for enums by name so that numbers which change between
 * kernels (drop reasons) are never hard-coded.
 */
public final class KernelBtf implements AutoCloseable {
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static final int BTF_TYPE_SIZE = 12;

    /**
     * The parse {@link #load()} hands out on this thread while {@link #sharedDuring} runs: each
     * parse of the kernel's BTF costs tens of MB and 70-180 ms, and the agent's start made one for
     * the gate of each object, one for listen drops and one for the decoders' enums.
     */
    private static final ThreadLocal<Shared> SHARED = new ThreadLocal<>();
    private static final AtomicInteger PARSES = new AtomicInteger();

    private Pointer btf;
    /** False for a view of the shared parse: closing it leaves the parse to its scope. */
    private final boolean owned;

    private KernelBtf(Pointer btf, boolean owned) {
        this.btf = btf;
        this.owned = owned;
    }

    public static boolean present() {
        return Files.isReadable(VMLINUX);
    }

    /** The kernel's BTF, parsed now, or a view of the parse this thread shares ({@link #sharedDuring}). */
    public static KernelBtf load() {
        Shared shared = SHARED.get();
        if (shared == null) {
            return new KernelBtf(parse(), true);
        }
        return new KernelBtf(shared.parse(), false);
    }

    /**
     * Runs {@code work} with every {@link #load()} on this thread handing out one parse, made at the
     * first load and freed when {@code work} ends.
     */
    public static <T> T sharedDuring(Supplier<T> work) {
        if (SHARED.get() != null) {
            return work.get();
        }
        Shared shared = new Shared();
        try {
            return sharing(shared, work);
        } finally {
            shared.free();
        }
    }

    /**
     * {@code work}, wrapped to share this thread's parse when another thread runs it (libbpf only
     * reads a parsed BTF). The caller's {@link #sharedDuring} must outlast that run; without one,
     * {@code work} is returned as it is.
     */
    public static <T> Supplier<T> sharingThisThreadsParse(Supplier<T> work) {
        Shared shared = SHARED.get();
        return shared == null ? work : () -> sharing(shared, work);
    }

    /** Runs {@code work} with {@code shared} as this thread's parse, then puts back what was there. */
    private static <T> T sharing(Shared shared, Supplier<T> work) {
        Shared before = SHARED.get();
        SHARED.set(shared);
        try {
            return work.get();
        } finally {
            if (before == null) {
                SHARED.remove();
            } else {
                SHARED.set(before);
            }
        }
    }

    /** Parses of the kernel's BTF this process made through {@link #load()} (each costs tens of MB). */
    public static int parses() {
        return PARSES.get();
    }

    private static Pointer parse() {
        if (!present()) {
            throw new NotSupportedException("kernel BTF (CONFIG_DEBUG_INFO_BTF)", "read " + VMLINUX, 2);
        }
        Pointer btf = Native.BPF.btf__load_vmlinux_btf();
        int err = Native.errno();
        if (btf == null) {
            throw new LibbpfException("load kernel BTF", err);
        }
        PARSES.incrementAndGet();
        return btf;
    }

    /** One parse for the threads of a {@link #sharedDuring}, made at the first load. */
    private static final class Shared {
        private Pointer parse;

        synchronized Pointer parse() {
            if (parse == null) {
                parse = KernelBtf.parse();
            }
            return parse;
        }

        synchronized void free() {
            if (parse != null) {
                Native.BPF.btf__free(parse);
                parse = null;
            }
        }
    }

    /** Enumerator name -> value of {@code enum name}, in declaration order; empty if the kernel has no such enum. */
    public synchronized Optional<Map<String, Long>> enumerators(String name) {
        boolean wide = false;
        int id = Native.BPF.btf__find_by_name_kind(handle(), name, BtfKind.ENUM);
        if (id < 0) {
            id = Native.BPF.btf__find_by_name_kind(handle(), name, BtfKind.ENUM64);
            wide = true;
        }
        if (id < 0) {
            return Optional.empty();
        }
        Pointer type = Native.BPF.btf__type_by_id(handle(), id);
        int info = type.getInt(4);
        int vlen = info & 0xffff;
        boolean signed = (info & 0x80000000) != 0; // kind_flag on enums: signed values
        Map<String, Long> out = new LinkedHashMap<>();
        int entrySize = wide ? 12 : 8;
        for (int i = 0; i < vlen; i++) {
            long at = BTF_TYPE_SIZE + (long) i * entrySize;
            String enumerator = Native.BPF.btf__name_by_offset(handle(), type.getInt(at));
            long value;
            if (wide) {
                value = (type.getInt(at + 4) & 0xffffffffL) | ((long) type.getInt(at + 8) << 32);
            } else {
                int raw = type.getInt(at + 4);
                value = signed ? raw : raw & 0xffffffffL;
            }
            out.put(enumerator, value);
        }
        return Optional.of(out);
    }

    /**
     * Whether {@code struct name} has a member {@code member} on this kernel,
     * e.g. trace_event_raw_kfree_skb.rx_sk (6.11+). Empty when the kernel has
     * no such struct at all.
     */
    public synchronized Optional<Boolean> structHasMember(String name, String member) {
        int id = Native.BPF.btf__find_by_name_kind(handle(), name, BtfKind.STRUCT);
        if (id < 0) {
            return Optional.empty();
        }
        Pointer type = Native.BPF.btf__type_by_id(handle(), id);
        int vlen = type.getInt(4) & 0xffff;
        for (int i = 0; i < vlen; i++) {
            long at = BTF_TYPE_SIZE + (long) i * 12; // struct btf_member: name_off, type, offset
            if (member.equals(Native.BPF.btf__name_by_offset(handle(), type.getInt(at)))) {
                return Optional.of(true);
            }
        }
        return Optional.of(false);
    }

    /** Whether the kernel's own BTF (not a module's) describes a function of that name. */
    public synchronized boolean hasFunction(String name) {
        return Native.BPF.btf__find_by_name_kind(handle(), name, BtfKind.FUNC) > 0;
    }

    /**
     * Whether the kernel's own BTF has the tracepoint a {@code tp_btf/NAME}
     * program attaches to (libbpf looks for the typedef btf_trace_NAME).
     */
    public synchronized boolean hasTracepoint(String name) {
        return Native.BPF.btf__find_by_name_kind(handle(), "btf_trace_" + name, BtfKind.TYPEDEF) > 0;
    }

    private Pointer handle() {
        if (btf == null) {
            throw new IllegalStateException("kernel BTF is closed");
        }
        return btf;
    }

    @Override
    public synchronized void close() {
        if (btf != null) {
            if (owned) {
                Native.BPF.btf__free(btf);
            }
            btf = null;
        }
    }
}
