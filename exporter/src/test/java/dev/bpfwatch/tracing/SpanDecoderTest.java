package dev.bpfwatch.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.config.BoundSpan;
import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.config.SpanSpec;
import dev.bpfwatch.decode.DecoderConfig;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Records in the peer's span layout, bytes in, span out: ids, parents, times, names, attributes, errors. */
class SpanDecoderTest {
    private static final Decoders DECODERS = Decoders.standard(new HostDecoderContext());
    private static final List<DecoderConfig> HEX = List.of(DecoderConfig.named("hex"));
    private static final List<DecoderConfig> UINT = List.of(DecoderConfig.named("uint"));
    /** Monotonic 1000 ns is epoch 1_000_000_000_000 ns: the two clocks 999_999_999_000 ns apart. */
    private static final long MONO_NOW = 5_000;
    private static final long EPOCH_NOW = 1_000_000_004_000L;

    private static BoundSpan span(String name, String service, Object[]... labels) {
        List<LabelSlice> slices = new ArrayList<>();
        int at = 0;
        for (Object[] l : labels) {
            @SuppressWarnings("unchecked")
            List<DecoderConfig> chain = (List<DecoderConfig>) l[2];
            slices.add(new LabelSlice((String) l[0], at, (int) l[1], chain));
            at += (int) l[1];
        }
        return new BoundSpan(new SpanSpec(name, "ring", service, List.of(), 1), slices, at);
    }

    private static Object[] label(String name, int size, List<DecoderConfig> decoders) {
        return new Object[] {name, size, decoders};
    }

    /** The peer's span_base: trace id (hi, lo), parent, span id, start, duration, as little-endian u64s. */
    private static final Object[][] BASE = {
        label("trace_id", 16, HEX), label("parent_span_id", 8, HEX), label("span_id", 8, HEX),
        label("span_monotonic_timestamp_ns", 8, UINT), label("span_duration_ns", 8, UINT)};

    private static Object[][] base(Object[]... more) {
        List<Object[]> all = new ArrayList<>(List.of(BASE));
        all.addAll(List.of(more));
        return all.toArray(new Object[0][]);
    }

    private static ByteBuffer record(int size, long hi, long lo, long parent, long id, long start, long duration) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hi).putLong(lo).putLong(parent).putLong(id).putLong(start).putLong(duration);
        return b;
    }

    private static KernelSpan decode(BoundSpan s, byte[] record) throws Exception {
        return new SpanDecoder(s, "cfg", DECODERS, () -> MONO_NOW, () -> EPOCH_NOW).decode(record).orElseThrow();
    }

    @Test
    void baseFieldsMakeTheSpan() throws Exception {
        BoundSpan s = span("exec", "svc", base(label("pid", 4, UINT)));
        ByteBuffer b = record(52, 0x1122, 0x3344, 0x55, 0x66, 1000, 250);
        b.putInt(77);
        KernelSpan k = decode(s, b.array());
        assertEquals("exec", k.name());
        assertEquals("svc", k.service());
        assertEquals("2211000000000000" + "4433000000000000", k.traceId(), "memory order, as hex prints it");
        assertEquals("5500000000000000", k.parentSpanId());
        assertEquals("6600000000000000", k.spanId());
        assertEquals(1_000_000_000_000L, k.startEpochNanos());
        assertEquals(1_000_000_000_250L, k.endEpochNanos());
        assertEquals(Map.of("pid", "77", SpanDecoder.CONFIG_ATTRIBUTE, "cfg"), k.attributes());
    }

    @Test
    void zeroParentIsARootAndZeroSpanIdIsMadeUp() throws Exception {
        BoundSpan s = span("exec", null, BASE);
        KernelSpan k = decode(s, record(56, 1, 2, 0, 0, 1000, 0).array());
        assertNull(k.parentSpanId());
        assertEquals(16, k.spanId().length());
        assertTrue(!k.spanId().equals("0000000000000000"), k.spanId());
        assertEquals(k.startEpochNanos(), k.endEpochNanos());
    }

    @Test
    void zeroTraceIdIsAnError() {
        BoundSpan s = span("exec", null, BASE);
        SpanFormatException e = assertThrows(SpanFormatException.class,
                () -> decode(s, record(56, 0, 0, 0, 5, 1000, 0).array()));
        assertEquals("span exec: trace_id is zero", e.getMessage());
    }

    @Test
    void shortRecordIsAnError() {
        BoundSpan s = span("exec", null, BASE);
        SpanFormatException e = assertThrows(SpanFormatException.class, () -> decode(s, new byte[40]));
        assertEquals("span exec: record of 40 bytes, its labels need 48", e.getMessage());
    }

    @Test
    void idsNotDecodedAsHexAreAnError() {
        BoundSpan s = span("exec", null, label("trace_id", 16, List.of(DecoderConfig.named("string"))));
        assertThrows(SpanFormatException.class, () -> decode(s, "abc".getBytes()));
    }

    @Test
    void spanNameLabelNamesTheSpanAndTheRestOfTheRecordIsIgnored() throws Exception {
        BoundSpan s = span("ring", null, base(label("span_name", 8, List.of(DecoderConfig.named("string")))));
        ByteBuffer b = record(80, 1, 2, 3, 4, 1000, 0);
        b.put("tcp_rcv\0".getBytes());
        assertEquals("tcp_rcv", decode(s, b.array()).name());
    }

    @Test
    void withoutTraceIdOrTimestampEachSpanStartsItsOwnTraceNow() throws Exception {
        BoundSpan s = span("bare", null, label("pid", 4, UINT));
        KernelSpan a = decode(s, new byte[] {1, 0, 0, 0});
        KernelSpan b = decode(s, new byte[] {1, 0, 0, 0});
        assertEquals(32, a.traceId().length());
        assertTrue(!a.traceId().equals(b.traceId()), "a trace each");
        assertEquals(EPOCH_NOW, a.startEpochNanos());
    }

    @Test
    void aDecoderThatSkipsDropsTheRecord() throws Exception {
        DecoderConfig onlyBash = new DecoderConfig("regexp", null, false, List.of("^bash$"), null, null, null);
        BoundSpan s = span("exec", null, base(label("comm", 8, List.of(DecoderConfig.named("string"), onlyBash))));
        ByteBuffer b = record(64, 1, 2, 0, 4, 1000, 0);
        b.put("sh\0\0\0\0\0\0".getBytes());
        assertTrue(new SpanDecoder(s, "cfg", DECODERS, () -> MONO_NOW, () -> EPOCH_NOW).decode(b.array()).isEmpty());
    }
}
