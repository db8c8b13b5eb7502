package dev.bpfwatch.btf;

import dev.bpfwatch.libbpf.KernelBtf;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Names of the kernel's skb drop reasons, read from its BTF (enum
 * skb_drop_reason), because the numbers differ from one kernel to the next.
 * Names lose their SKB_DROP_REASON_ prefix: NO_SOCKET, TCP_LISTEN_OVERFLOW.
 */
public final class DropReasons {
    static final String ENUM = "skb_drop_reason";
    static final String PREFIX = "SKB_DROP_REASON_";

    private final Map<Long, String> names;

    DropReasons(Map<String, Long> enumerators) {
        Map<Long, String> byValue = new HashMap<>();
        EnumNames.byValue(enumerators).forEach((value, name) ->
                byValue.put(value, name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name));
        this.names = Map.copyOf(byValue);
    }

    /** @throws IllegalStateException when the kernel has no drop reasons (before 5.17) */
    public static DropReasons fromKernel(KernelBtf btf) {
        return new DropReasons(btf.enumerators(ENUM).orElseThrow(() -> new IllegalStateException(
                "kernel BTF has no enum " + ENUM + " (drop reasons need Linux 5.17 or later)")));
    }

    /**
     * This kernel's reasons, or, before 5.17 (no enum, the tracepoint passes
     * no reason), none: every drop is then {@link #NOT_SPECIFIED}.
     */
    public static Optional<DropReasons> ifKernelHas(KernelBtf btf) {
        return btf.enumerators(ENUM).map(DropReasons::new);
    }

    /** The kernel's own name for a drop it gave no reason for; what kernels before 5.17 count as. */
    public static final String NOT_SPECIFIED = "NOT_SPECIFIED";

    /** Reasons for a kernel without them: every number is NOT_SPECIFIED. */
    public static DropReasons none() {
        return new DropReasons(Map.of());
    }

    /** The reason's name; a number this kernel's BTF does not know stays visible as UNKNOWN_n. */
    public String name(long value) {
        if (names.isEmpty()) {
            return NOT_SPECIFIED;
        }
        String n = names.get(value);
        return n != null ? n : "UNKNOWN_" + value;
    }

    /** The value of a reason by its short or full name, for tests and filters. */
    public long value(String name) {
        String shortName = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
        return names.entrySet().stream().filter(e -> e.getValue().equals(shortName))
                .mapToLong(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no drop reason " + name + " in this kernel"));
    }

    public int size() {
        return names.size();
    }
}
