package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.config.ValueSlice;
import dev.bpfwatch.decode.DecoderConfig;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import dev.bpfwatch.libbpf.PackedEntries;
import io.prometheus.client.Collector;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fast path writes a large map's sample lines without garbage per series: the agent runs on a
 * small serial heap, and a scrape that left a few objects per line behind paid for them in
 * collections (a full one every other scrape at 100k series). Keys above 2^63 (hashes, u64 ids)
 * are the case that used to go through a String; values of every width are read in place.
 */
class MapFamilyGarbageTest {
    private static final Decoders DECODERS = Decoders.standard(new HostDecoderContext());
    private static final int ENTRIES = 20_000;

    private static MapFamily family(PackedEntries packed, ValueSlice value) {
        List<LabelSlice> slices = List.of(new LabelSlice("key", 0, 8, List.of(DecoderConfig.named("uint"))));
        LabelDecoder decoder = new LabelDecoder(slices, DECODERS, 10);
        LabelText text = new LabelText(decoder, List.of("key"), 10, slices);
        return new MapFamily("test_map", Collector.Type.COUNTER, "help", List.of("key"),
                new MapData(packed, false, 1, packed.valueSize()), value, false, false, text, decoder, n -> { });
    }

    /** Keys i * 0x9E3779B97F4A7C15 (half of them above 2^63), u64 values i * 7 + 1. */
    private static PackedEntries hashedKeys(int n) {
        ByteBuffer keys = ByteBuffer.allocate(8 * n).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(8 * n).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            keys.putLong(i * 8, i * 0x9E3779B97F4A7C15L);
            values.putLong(i * 8, i * 7L + 1);
        }
        return new PackedEntries(keys.array(), values.array(), n, 8, 8);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void writingALargeMapLeavesNoGarbagePerSeries() throws Exception {
        MapFamily family = family(hashedKeys(ENTRIES), ValueSlice.WHOLE_U64);
        OutputStream discard = OutputStream.nullOutputStream();
        family.writeSamples(discard, false); // class loading and first-call costs stay out of the count
        long before = allocatedBytes();
        family.writeSamples(discard, false);
        long perScrape = allocatedBytes() - before;
        // One 64 KiB buffer and a few small arrays per scrape; a String per key would be megabytes.
        assertTrue(perScrape < 128 * 1024, "writing " + ENTRIES + " series allocated " + perScrape + " bytes");
    }

    @Test
    void keysAboveTwoToTheSixtyThreePrintUnsigned() throws Exception {
        PackedEntries packed = hashedKeys(4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        family(packed, ValueSlice.WHOLE_U64).writeSamples(out, true);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            expected.append("test_map_total{key=\"").append(Long.toUnsignedString(i * 0x9E3779B97F4A7C15L))
                    .append("\"} ").append((double) (i * 7L + 1)).append('\n');
        }
        assertEquals(expected.toString(), out.toString(StandardCharsets.UTF_8));
        ExpositionBuffer extremes = new ExpositionBuffer(8);
        for (long v : new long[] {-1L, Long.MIN_VALUE, Long.MIN_VALUE + 9, -10L, Long.MAX_VALUE, 0}) {
            extremes.putUnsignedLong(v);
            extremes.put((byte) ' ');
        }
        assertEquals("18446744073709551615 9223372036854775808 9223372036854775817 18446744073709551606 "
                + "9223372036854775807 0 ", new String(extremes.toByteArray(), StandardCharsets.US_ASCII));
    }

    @Test
    void valuesOfEveryWidthAndSignAreReadInHostOrder() {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        b.put(1, (byte) -2).putShort(3, (short) -3).putInt(7, -4).putLong(13, -5L).putLong(21, 1L << 40);
        byte[] bytes = b.array();
        assertEquals(254, new ValueSlice(1, 1, false).read(bytes, 0));
        assertEquals(-2, new ValueSlice(1, 1, true).read(bytes, 0));
        assertEquals(65533, new ValueSlice(3, 2, false).read(bytes, 0));
        assertEquals(-3, new ValueSlice(3, 2, true).read(bytes, 0));
        assertEquals(4294967292.0, new ValueSlice(7, 4, false).read(bytes, 0));
        assertEquals(-4, new ValueSlice(2, 4, true).read(bytes, 5));
        assertEquals(18446744073709551611.0, new ValueSlice(13, 8, false).read(bytes, 0));
        assertEquals(-5, new ValueSlice(13, 8, true).read(bytes, 0));
        assertEquals(1L << 40, new ValueSlice(0, 8, false).read(bytes, 21));
    }
}
