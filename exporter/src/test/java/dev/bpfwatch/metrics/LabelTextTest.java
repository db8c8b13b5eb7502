package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.decode.DecoderConfig;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Label text per raw key: escaped as simpleclient escapes, cached up to its capacity, never beyond. */
class LabelTextTest {
    private static final Decoders DECODERS = Decoders.standard(new HostDecoderContext());

    private static LabelText uintText(int capacity) {
        List<LabelSlice> slices = List.of(new LabelSlice("key", 0, 8, List.of(DecoderConfig.named("uint"))));
        return new LabelText(new LabelDecoder(slices, DECODERS, capacity), List.of("key"), capacity);
    }

    private static byte[] keys(int n) {
        ByteBuffer b = ByteBuffer.allocate(8 * n).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            b.putLong(i * 8, i * 0x9E3779B97F4A7C15L);
        }
        return b.array();
    }

    @Test
    void aMapAsLargeAsTheCapacityIsDecodedOnce() throws Exception {
        int n = 1000;
        LabelText text = uintText(n);
        byte[] keys = keys(n);
        byte[][] first = new byte[n][];
        for (int i = 0; i < n; i++) {
            first[i] = text.text(keys, i * 8, text.caches(n));
        }
        for (int i = 0; i < n; i++) {
            assertSame(first[i], text.text(keys, i * 8, text.caches(n)), "key " + i + " decoded again");
        }
        assertEquals("key=\"" + Long.toUnsignedString(7 * 0x9E3779B97F4A7C15L) + "\"",
                new String(first[7], StandardCharsets.UTF_8));
    }

    @Test
    void aMapLargerThanTheCapacityIsNotCached() throws Exception {
        int n = 1000;
        LabelText text = uintText(n - 1);
        byte[] keys = keys(n);
        byte[] once = text.text(keys, 0, text.caches(n));
        byte[] again = text.text(keys, 0, text.caches(n));
        assertNotSame(once, again);
        assertArrayEquals(once, again);
    }

    @Test
    void uintLabelsPrintedFromTheKeyMatchTheDecoder() throws Exception {
        // u8, u16, u32 and u64 labels side by side; every byte 0xff makes each its largest value.
        List<LabelSlice> slices = List.of(new LabelSlice("a", 0, 1, List.of(DecoderConfig.named("uint"))),
                new LabelSlice("b", 1, 2, List.of(DecoderConfig.named("uint"))),
                new LabelSlice("c", 3, 4, List.of(DecoderConfig.named("uint"))),
                new LabelSlice("d", 7, 8, List.of(DecoderConfig.named("uint"))));
        List<String> names = List.of("a", "b", "c", "d");
        LabelText decoded = new LabelText(new LabelDecoder(slices, DECODERS, 10), names, 10);
        LabelText direct = new LabelText(new LabelDecoder(slices, DECODERS, 10), names, 10, slices);
        byte[][] keys = {new byte[15], new byte[15], new byte[15]};
        java.util.Arrays.fill(keys[1], (byte) 0xff);
        for (int i = 0; i < 15; i++) {
            keys[2][i] = (byte) (i * 37 + 1);
        }
        for (byte[] key : keys) {
            ExpositionBuffer out = new ExpositionBuffer(16);
            direct.writeDirect(out, key, 0);
            assertArrayEquals(decoded.text(key, 0, false), out.toByteArray());
        }
        ExpositionBuffer max = new ExpositionBuffer(16);
        direct.writeDirect(max, keys[1], 0);
        assertEquals("a=\"255\",b=\"65535\",c=\"4294967295\",d=\"18446744073709551615\"",
                new String(max.toByteArray(), StandardCharsets.UTF_8));
    }

    @Test
    void labelValuesAreEscapedAsSimpleclientDoes() {
        LabelText text = uintText(1);
        assertEquals("key=\"a\\\\b\\\"c\\nd\"",
                new String(text.format(List.of("a\\b\"c\nd")), StandardCharsets.UTF_8));
    }
}
