package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;
import static dev.bpfwatch.decode.DecoderTests.s;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.bpfwatch.libbpf.KernelBtf;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KernelEnumTest {
    private static final DecoderConfig SHORT = enumConfig("skb_drop_reason", "SKB_DROP_REASON_");
    private static final DecoderConfig FULL = enumConfig("skb_drop_reason", null);
    private static final DecoderConfig SIGNED = enumConfig("signed_thing", null);

    private final AtomicInteger lookups = new AtomicInteger();
    private final KernelEnum decoder = new KernelEnum(new CountingContext());

    private static DecoderConfig enumConfig(String name, String stripPrefix) {
        return new DecoderConfig("enum", null, false, null, name, stripPrefix);
    }

    /** A kernel before 5.17: no enum at all. */
    private static final class DecoderContextWithoutEnums implements DecoderContext {
        @Override
        public Optional<Map<String, Long>> kernelEnum(String name) {
            return Optional.empty();
        }

        @Override
        public java.nio.file.Path kallsyms() {
            return java.nio.file.Path.of("/proc/kallsyms");
        }

        @Override
        public java.nio.file.Path cgroupRoot() {
            return java.nio.file.Path.of("/sys/fs/cgroup");
        }
    }

    /** A made-up kernel: declaration order matters, as BTF keeps it. */
    private final class CountingContext implements DecoderContext {
        @Override
        public Optional<Map<String, Long>> kernelEnum(String name) {
            lookups.incrementAndGet();
            Map<String, Long> m = new LinkedHashMap<>();
            switch (name) {
                case "skb_drop_reason" -> {
                    m.put("SKB_NOT_DROPPED_YET", 0L);
                    m.put("SKB_CONSUMED", 1L);
                    m.put("SKB_DROP_REASON_NOT_SPECIFIED", 2L);
                    m.put("SKB_DROP_REASON_NO_SOCKET", 3L);
                    m.put("SKB_DROP_REASON_TCP_CSUM", 4L);
                    m.put("SKB_DROP_REASON_TCP_CSUM_ALIAS", 4L);
                    m.put("SKB_DROP_REASON_", 5L);
                    m.put("SKB_DROP_REASON_MAX", 6L);
                }
                case "signed_thing" -> {
                    m.put("NEGATIVE_ONE", -1L);
                    m.put("ZERO", 0L);
                }
                default -> {
                    return Optional.empty();
                }
            }
            return Optional.of(m);
        }

        @Override
        public Path kallsyms() {
            return Path.of("/nonexistent");
        }

        @Override
        public Path cgroupRoot() {
            return Path.of("/nonexistent");
        }
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(SHORT, "3", "NO_SOCKET"),
                Arguments.of(SHORT, "2", "NOT_SPECIFIED"),
                Arguments.of(SHORT, "6", "MAX"),
                // names without the prefix keep their whole name
                Arguments.of(SHORT, "0", "SKB_NOT_DROPPED_YET"),
                // aliases: the first declared name wins
                Arguments.of(SHORT, "4", "TCP_CSUM"),
                // stripping would leave nothing: keep the name
                Arguments.of(SHORT, "5", "SKB_DROP_REASON_"),
                Arguments.of(SHORT, "99", "UNKNOWN_99"),
                Arguments.of(FULL, "3", "SKB_DROP_REASON_NO_SOCKET"),
                // a negative enumerator read through a u32
                Arguments.of(SIGNED, "4294967295", "NEGATIVE_ONE"),
                Arguments.of(SIGNED, "0", "ZERO"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void names(DecoderConfig config, String in, String out) throws DecoderException {
        assertDecodes(decoder, config, s(in), out);
    }

    @Test
    void readsEachEnumOnce() throws DecoderException {
        decoder.validate(SHORT, -1);
        for (int i = 0; i < 100; i++) {
            decoder.decode(s(Integer.toString(i % 8)), SHORT);
            decoder.decode(s("1"), FULL);
        }
        assertEquals(1, lookups.get());
    }

    @Test
    void validation() {
        assertDoesNotThrow(() -> decoder.validate(SHORT, -1));
        assertInvalid(decoder, enumConfig("skb_drop_reasonx", null), -1, "enum skb_drop_reasonx not found in kernel BTF (if_missing: LABEL counts without names)");
        assertInvalid(decoder, enumConfig(null, null), -1,
                "needs 'enum', the name of a kernel enum (e.g. skb_drop_reason)");
        assertInvalid(decoder, SHORT, 4, "reads the decimal text of a number: put 'uint' before it");
    }

    /** An enum the kernel lacks, with if_missing: every number gets that label, and the load says why once. */
    @Test
    void ifMissingLabelsEveryNumberWhenTheKernelLacksTheEnum() throws DecoderException {
        DecoderConfig absent = new DecoderConfig("enum", null, false, null, "sk_rst_reasonx", null, "NOT_SPECIFIED");
        assertDoesNotThrow(() -> decoder.validate(absent, -1));
        assertDecodes(decoder, absent, s("3"), "NOT_SPECIFIED");
        assertDecodes(decoder, absent, s("0"), "NOT_SPECIFIED");
        assertEquals(Optional.of("kernel enum sk_rst_reasonx not in this kernel's BTF: every value is labelled NOT_SPECIFIED"),
                decoder.fallback(absent));
        DecoderConfig reasons = new DecoderConfig("enum", null, false, null, "skb_drop_reason", null, "NOT_SPECIFIED");
        KernelEnum withoutReasons = new KernelEnum(new DecoderContextWithoutEnums());
        assertEquals(Optional.of("kernel enum skb_drop_reason not in this kernel's BTF (added in Linux 5.17): "
                + "every value is labelled NOT_SPECIFIED"), withoutReasons.fallback(reasons));
        assertEquals(Optional.empty(), decoder.fallback(new DecoderConfig("enum", null, false, null,
                SHORT.enumName(), null, "NOT_SPECIFIED")), "no fallback where the kernel has the enum");
    }

    @Test
    void badInput() {
        assertRejects(decoder, SHORT, b(3, 0, 0, 0));
        assertRejects(decoder, enumConfig("skb_drop_reasonx", null), s("3"));
    }

    /** The real kernel: NO_SOCKET's number comes from BTF, whatever this kernel numbers it. */
    @Test
    void hostKernelNamesNoSocket() throws DecoderException {
        Assumptions.assumeTrue(KernelBtf.present(), "kernel BTF (CONFIG_DEBUG_INFO_BTF)");
        Long noSocket;
        try (KernelBtf btf = KernelBtf.load()) {
            Optional<Map<String, Long>> reasons = btf.enumerators("skb_drop_reason");
            Assumptions.assumeTrue(reasons.isPresent(), "enum skb_drop_reason (Linux 5.17+)");
            noSocket = reasons.get().get("SKB_DROP_REASON_NO_SOCKET");
        }
        assertNotNull(noSocket);
        KernelEnum host = new KernelEnum(new HostDecoderContext());
        host.validate(SHORT, -1);
        assertDecodes(host, SHORT, s(Long.toString(noSocket)), "NO_SOCKET");
        assertDecodes(host, FULL, s(Long.toString(noSocket)), "SKB_DROP_REASON_NO_SOCKET");
        assertInvalid(host, enumConfig("skb_drop_reasonx", null), -1, "enum skb_drop_reasonx not found in kernel BTF (if_missing: LABEL counts without names)");
    }
}
