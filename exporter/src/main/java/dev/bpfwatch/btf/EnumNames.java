package dev.bpfwatch.btf;

import java.util.HashMap;
import java.util.Map;

/** A BTF enum read the other way round: value -> enumerator name. */
public final class EnumNames {
    private EnumNames() {
    }

    /**
     * Aliases share a value (a *_MAX marker, a renamed reason): the first
     * declared name wins, as the kernel's own tables print it.
     */
    public static Map<Long, String> byValue(Map<String, Long> enumerators) {
        Map<Long, String> byValue = new HashMap<>();
        enumerators.forEach((name, value) -> byValue.putIfAbsent(value, name));
        return Map.copyOf(byValue);
    }
}
