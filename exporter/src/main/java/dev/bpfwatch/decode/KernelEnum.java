package dev.bpfwatch.decode;

import dev.bpfwatch.btf.EnumNames;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code enum} (bpfwatch): a number, as the text {@code uint} wrote, to the
 * name of the matching enumerator of a kernel enum read from the running
 * kernel's BTF, because values such as drop reasons are renumbered from one
 * kernel to the next. {@code strip_prefix} shortens names
 * (SKB_DROP_REASON_NO_SOCKET -> NO_SOCKET); values the kernel does not name
 * become UNKNOWN_&lt;n&gt; so they stay visible.
 *
 * <p>It reads text rather than raw bytes so that it chains like
 * ebpf_exporter's errno and syscall, and so one rule fits every label size.
 */
public final class KernelEnum implements Decoder {
    private final DecoderContext context;
    private final Map<String, Map<Long, String>> byEnum = new ConcurrentHashMap<>();

    public KernelEnum(DecoderContext context) {
        this.context = context;
    }

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        long value = Bytes.decimal(in);
        Map<Long, String> names = names(config.enumName());
        if (names == null && config.ifMissing() != null) {
            return Bytes.utf8(config.ifMissing());
        }
        if (names == null) {
            throw new DecoderException("enum " + config.enumName() + " not found in kernel BTF");
        }
        String name = names.get(value);
        if (name == null && value == (value & 0xffffffffL)) {
            // A signed enum's negative enumerators arrive from a u32 as 2^32-n.
            name = names.get((long) (int) value);
        }
        if (name == null) {
            return Bytes.utf8("UNKNOWN_" + Long.toUnsignedString(value));
        }
        String prefix = config.stripPrefix();
        if (prefix != null && !prefix.isEmpty() && name.startsWith(prefix) && name.length() > prefix.length()) {
            name = name.substring(prefix.length());
        }
        return Bytes.utf8(name);
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireNumberText(inputSize);
        String enumName = config.enumName();
        if (enumName == null || enumName.isBlank()) {
            throw new IllegalArgumentException("needs 'enum', the name of a kernel enum (e.g. skb_drop_reason)");
        }
        if (names(enumName) == null && config.ifMissing() == null) {
            throw new IllegalArgumentException("enum " + enumName + " not found in kernel BTF" + since(enumName)
                    + " (if_missing: LABEL counts without names)");
        }
    }

    @Override
    public Optional<String> fallback(DecoderConfig config) {
        if (config.ifMissing() == null || names(config.enumName()) != null) {
            return Optional.empty();
        }
        return Optional.of("kernel enum " + config.enumName() + " not in this kernel's BTF" + since(config.enumName())
                + ": every value is labelled " + config.ifMissing());
    }

    /** When well-known enums appeared, so a miss says which kernel brings them. */
    private static String since(String enumName) {
        String version = INTRODUCED.get(enumName);
        return version == null ? "" : " (added in Linux " + version + ")";
    }

    private static final Map<String, String> INTRODUCED = Map.of(
            "skb_drop_reason", "5.17",
            "sk_rst_reason", "6.10");

    /** Value -> enumerator name, cached per enum; null if the kernel has no such enum. */
    private Map<Long, String> names(String enumName) {
        if (enumName == null) {
            return null;
        }
        Map<Long, String> cached = byEnum.get(enumName);
        if (cached != null) {
            return cached;
        }
        Optional<Map<String, Long>> enumerators = context.kernelEnum(enumName);
        if (enumerators.isEmpty()) {
            return null; // not cached: a miss is a config error, reported once at load
        }
        Map<Long, String> frozen = EnumNames.byValue(enumerators.get());
        byEnum.put(enumName, frozen);
        return frozen;
    }
}
