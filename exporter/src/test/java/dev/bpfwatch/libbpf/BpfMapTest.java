package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Resources;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Maps in the real kernel, filled and read back through the binding. */
class BpfMapTest {
    private BpfObject object;

    @BeforeEach
    void load() {
        object = BpfObject.open(Resources.testObject("test_maps"));
        object.load();
    }

    @AfterEach
    void close() {
        object.close();
    }

    @Test
    void describesMapsAsDeclared() {
        BpfMap hash = object.map("test_hash").orElseThrow();
        assertEquals(BpfMapType.HASH, hash.type());
        assertEquals(8, hash.keySize());
        assertEquals(8, hash.valueSize());
        assertEquals(16384, hash.maxEntries());
        assertTrue(hash.btfKeyTypeId() > 0, "key type described in BTF");
        assertEquals(BpfMapType.PERCPU_HASH, object.map("test_percpu_hash").orElseThrow().type());
        assertEquals(BpfMapType.LPM_TRIE, object.map("test_lpm").orElseThrow().type());
    }

    @Test
    void batchLookupAndKeyByKeyAgreeOnTenThousandEntries() {
        BpfMap hash = object.map("test_hash").orElseThrow();
        Map<Long, Long> written = new HashMap<>();
        for (long k = 0; k < 10_000; k++) {
            long v = k * 7919 + 3;
            hash.update(u64(k), u64(v), BpfMap.BPF_NOEXIST);
            written.put(k, v);
        }
        List<BpfMap.Entry> batched = hash.entries();
        assertEquals(Boolean.TRUE, hash.batchSupported(), "hash maps batch on this kernel");
        List<BpfMap.Entry> oneByOne = hash.entriesKeyByKey();

        assertEquals(written, asLongs(batched));
        assertEquals(written, asLongs(oneByOne));
    }

    @Test
    void aRecycledReadIsRefilledInPlaceAndShowsOnlyTheMapAsItIsNow() {
        BpfMap hash = object.map("test_hash").orElseThrow();
        for (long k = 0; k < 6_000; k++) {
            hash.update(u64(k), u64(k * 3), BpfMap.BPF_NOEXIST);
        }
        PackedEntries first = hash.readPacked();
        assertEquals(6_000, first.count());
        PackedEntries unrecycled = hash.readPacked();
        assertNotSame(first.keys(), unrecycled.keys(), "a read nobody handed back is never overwritten");

        hash.recycle(first);
        for (long k = 0; k < 6_000; k += 2) {
            assertTrue(hash.delete(u64(k)));
        }
        hash.update(u64(1_000_001), u64(3_000_003), BpfMap.BPF_NOEXIST);
        PackedEntries second = hash.readPacked();
        assertSame(first.keys(), second.keys(), "the handed-back keys array is filled again");
        assertSame(first.values(), second.values(), "the handed-back values array is filled again");
        assertEquals(3_001, second.count(), "what the earlier, longer read left beyond count is not an entry");
        Map<Long, Long> expected = new HashMap<>();
        for (long k = 1; k < 6_000; k += 2) {
            expected.put(k, k * 3);
        }
        expected.put(1_000_001L, 3_000_003L);
        assertEquals(expected, asLongs(second.entries()));

        PackedEntries third = hash.readPacked();
        assertNotSame(second.keys(), third.keys(), "handed back once, reused once");
    }

    @Test
    void arraysFarLargerThanTheMapNowIsAreNotKept() {
        BpfMap hash = object.map("test_hash").orElseThrow();
        for (long k = 0; k < 16_000; k++) {
            hash.update(u64(k), u64(k), BpfMap.BPF_NOEXIST);
        }
        PackedEntries full = hash.readPacked();
        hash.recycle(full);
        for (long k = 10; k < 16_000; k++) {
            hash.delete(u64(k));
        }
        PackedEntries shrunk = hash.readPacked(); // sized by the read before: the full one's arrays fit
        assertSame(full.keys(), shrunk.keys());
        assertEquals(10, shrunk.count());
        hash.recycle(shrunk);
        PackedEntries small = hash.readPacked(); // sized by 10 entries now: 16k entries' arrays are let go
        assertNotSame(full.keys(), small.keys());
        assertTrue(small.keys().length < full.keys().length / 2, small.keys().length + " bytes of keys");
        assertEquals(10, small.count());
    }

    @Test
    void perCpuValuesComeBackOnePaddedSlotPerPossibleCpu() {
        BpfMap percpu = object.map("test_percpu_hash").orElseThrow();
        assertEquals(8, percpu.valueStride(), "u32 values padded to 8 bytes per CPU");
        int cpus = Cpus.possible();
        ByteBuffer value = ByteBuffer.allocate(8 * cpus).order(ByteOrder.nativeOrder());
        for (int cpu = 0; cpu < cpus; cpu++) {
            value.putInt(cpu * 8, cpu + 1);
        }
        for (int k = 0; k < 100; k++) {
            percpu.update(u32(k), value.array(), BpfMap.BPF_ANY);
        }
        List<BpfMap.Entry> entries = percpu.entries();
        assertEquals(100, entries.size());
        for (BpfMap.Entry e : entries) {
            assertArrayEquals(value.array(), e.value());
        }
        assertEquals(asHex(entries), asHex(percpu.entriesKeyByKey()));
    }

    @Test
    void lpmTrieWalksTheSameWhicheverPathTheKernelAllows() {
        BpfMap lpm = object.map("test_lpm").orElseThrow();
        for (int i = 0; i < 20; i++) {
            byte[] key = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(24)
                    .put((byte) 10).put((byte) i).put((byte) 0).put((byte) 0).array();
            lpm.update(key, u64(i), BpfMap.BPF_ANY);
        }
        // Older kernels lack batch ops on tries (entries() then falls back); 6.x has them.
        List<BpfMap.Entry> entries = lpm.entries();
        assertEquals(20, entries.size());
        assertEquals(asHex(entries), asHex(lpm.entriesKeyByKey()));
    }

    @Test
    void lookupUpdateDeleteAndNextKey() {
        BpfMap array = object.map("test_array").orElseThrow();
        array.update(u32(5), u64(42), BpfMap.BPF_ANY);
        assertEquals(42, le64(array.lookup(u32(5)).orElseThrow()));
        assertEquals(64, array.entries().size(), "arrays have every index");

        BpfMap hash = object.map("test_hash").orElseThrow();
        assertTrue(hash.nextKey(null).isEmpty(), "empty map has no first key");
        hash.update(u64(1), u64(10), BpfMap.BPF_ANY);
        assertArrayEquals(u64(1), hash.nextKey(null).orElseThrow());
        LibbpfException exists = assertThrows(LibbpfException.class,
                () -> hash.update(u64(1), u64(11), BpfMap.BPF_NOEXIST));
        assertEquals("EEXIST", exists.errnoName());
        assertTrue(hash.delete(u64(1)));
        assertFalse(hash.delete(u64(1)));
        assertTrue(hash.lookup(u64(1)).isEmpty());
    }

    @Test
    void wrongKeySizeIsRefusedBeforeTheKernelSeesIt() {
        BpfMap hash = object.map("test_hash").orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hash.lookup(new byte[3]));
        assertTrue(e.getMessage().contains("expected 8"), e.getMessage());
    }

    @Test
    void pinnedMapIsReachableFromAnotherHandle() throws Exception {
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        String pin = "/sys/fs/bpf/bpfwatch_test_pin_" + ProcessHandle.current().pid();
        BpfMap hash = object.map("test_hash").orElseThrow();
        hash.update(u64(9), u64(99), BpfMap.BPF_ANY);
        hash.pin(pin);
        try (BpfMap pinned = BpfMap.openPinned(pin)) {
            assertEquals("test_hash", pinned.name());
            assertEquals(hash.id(), pinned.id());
            assertEquals(99, le64(pinned.lookup(u64(9)).orElseThrow()));
        } finally {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(pin));
        }
        LibbpfException missing = assertThrows(LibbpfException.class, () -> BpfMap.openPinned(pin));
        assertEquals("ENOENT", missing.errnoName());
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    static long le64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong();
    }

    private static Map<Long, Long> asLongs(List<BpfMap.Entry> entries) {
        Map<Long, Long> out = new HashMap<>();
        for (BpfMap.Entry e : entries) {
            Long previous = out.put(le64(e.key()), le64(e.value()));
            assertEquals(null, previous, "a key came back twice");
        }
        return out;
    }

    private static Map<String, String> asHex(List<BpfMap.Entry> entries) {
        Map<String, String> out = new HashMap<>();
        entries.forEach(e -> out.put(HexFormat.of().formatHex(e.key()), HexFormat.of().formatHex(e.value())));
        return out;
    }
}
