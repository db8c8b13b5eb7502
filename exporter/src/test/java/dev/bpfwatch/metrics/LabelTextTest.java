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
    void labelValuesAreEscapedAsSimpleclientDoes() {
        LabelText text = uintText(1);
        assertEquals("key=\"a\\\\b\\\"c\\nd\"",
                new String(text.format(List.of("a\\b\"c\nd")), StandardCharsets.UTF_8));
    }
}
