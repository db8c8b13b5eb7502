package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.config.ValueSlice;
import dev.bpfwatch.decode.DecoderConfig;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import dev.bpfwatch.libbpf.PackedEntries;
import io.prometheus.client.Collector;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A MapFamily counts the bytes of its sample lines exactly (the HTTP handler sends that count
 * as the Content-Length, so one byte off breaks the response), and numbers print as
 * simpleclient prints them.
 */
class SampleBytesTest {
    private static final Decoders DECODERS = Decoders.standard(new HostDecoderContext());

    /** Every power of ten, one less and one more, both signs, and the ends of the u64 range. */
    private static List<Long> edges() {
        List<Long> out = new ArrayList<>(List.of(0L, Long.MAX_VALUE, Long.MIN_VALUE, -1L, Long.MIN_VALUE + 1,
                Long.parseUnsignedLong("10000000000000000000"), Long.parseUnsignedLong("9999999999999999999")));
        long p = 1;
        for (int i = 0; i < 19; i++) {
            out.addAll(List.of(p - 1, p, p + 1, -(p - 1), -p, -(p + 1)));
            p *= 10;
        }
        for (long i = 0; i < 1000; i++) {
            out.add(i * 0x9E3779B97F4A7C15L);
        }
        return out;
    }

    @Test
    void integersPrintAndCountAsTheJdkPrintsThem() {
        for (long v : edges()) {
            ExpositionBuffer unsigned = new ExpositionBuffer(4);
            unsigned.putUnsignedLong(v);
            String text = new String(unsigned.toByteArray(), StandardCharsets.US_ASCII);
            assertEquals(Long.toUnsignedString(v), text, "unsigned " + v);
            assertEquals(text.length(), ExpositionBuffer.unsignedLength(v), "length of unsigned " + v);
            if (v >= 0) {
                ExpositionBuffer signed = new ExpositionBuffer(4);
                signed.putLong(v);
                assertEquals(Long.toString(v), new String(signed.toByteArray(), StandardCharsets.US_ASCII));
                assertEquals(Long.toString(v).length(), ExpositionBuffer.decimalLength(v), "digits of " + v);
            }
        }
    }

    @Test
    void valuesCountAsTheyPrint() {
        List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1.5, -2.25, 1e7, 9_999_999.0, -9_999_999.0,
                1.2345678e9, 1e-9, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                18446744073709551615.0, Double.MAX_VALUE, Double.MIN_VALUE));
        for (long v : edges()) {
            values.add((double) v);
        }
        for (double d : values) {
            ExpositionBuffer b = new ExpositionBuffer(4);
            b.putValue(d);
            String text = new String(b.toByteArray(), StandardCharsets.US_ASCII);
            assertEquals(Collector.doubleToGoString(d), text, "value " + d);
            assertEquals(text.length(), ExpositionBuffer.valueLength(d), "length of " + d);
        }
    }

    @Test
    void aFamilyCountsExactlyWhatItWrites() throws Exception {
        int cpus = 3;
        int n = 2000;
        // Keys over the whole u64 range, a u32 label beside them; values 0, small, large, above 2^63.
        ByteBuffer keys = ByteBuffer.allocate(12 * n).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(8 * cpus * n).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            keys.putLong(i * 12, i * 0x9E3779B97F4A7C15L).putInt(i * 12 + 8, i * 7919);
            for (int cpu = 0; cpu < cpus; cpu++) {
                long value = i % 5 == 0 ? 0 : i % 3 == 0 ? i * 123_456_789L : i % 7 == 0 ? -i : i + cpu;
                values.putLong((i * cpus + cpu) * 8, value);
            }
        }
        PackedEntries packed = new PackedEntries(keys.array(), values.array(), n, 12, 8 * cpus);
        List<LabelSlice> slices = List.of(new LabelSlice("key", 0, 8, List.of(DecoderConfig.named("uint"))),
                new LabelSlice("id", 8, 4, List.of(DecoderConfig.named("uint"))));
        for (boolean perCpu : List.of(false, true)) {
            for (boolean split : perCpu ? List.of(false, true) : List.of(false)) {
                for (boolean skipZeros : List.of(false, true)) {
                    for (Collector.Type type : List.of(Collector.Type.COUNTER, Collector.Type.GAUGE)) {
                        List<String> names = split ? List.of("key", "id", "cpu") : List.of("key", "id");
                        LabelDecoder decoder = new LabelDecoder(slices, DECODERS, 10);
                        MapFamily family = new MapFamily("test_map", type, "help", names,
                                new MapData(packed, perCpu, perCpu ? cpus : 1, 8), ValueSlice.WHOLE_U64, split,
                                skipZeros, new LabelText(decoder, List.of("key", "id"), 10, slices), decoder, e -> { });
                        for (boolean openMetrics : List.of(false, true)) {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            family.writeSamples(out, openMetrics);
                            assertEquals(out.size(), family.sampleBytes(openMetrics), "perCpu " + perCpu + ", split "
                                    + split + ", skipZeros " + skipZeros + ", " + type + ", openMetrics " + openMetrics);
                        }
                    }
                }
            }
        }
    }

    @Test
    void labelsFromDecodersAreNotCounted() {
        List<LabelSlice> slices = List.of(new LabelSlice("key", 0, 8, List.of(DecoderConfig.named("hex"))));
        LabelDecoder decoder = new LabelDecoder(slices, DECODERS, 10);
        PackedEntries packed = new PackedEntries(new byte[8], new byte[8], 1, 8, 8);
        MapFamily family = new MapFamily("test_map", Collector.Type.GAUGE, "help", List.of("key"),
                new MapData(packed, false, 1, 8), ValueSlice.WHOLE_U64, false, false,
                new LabelText(decoder, List.of("key"), 10), decoder, e -> { });
        assertEquals(-1, family.sampleBytes(false));
    }
}
