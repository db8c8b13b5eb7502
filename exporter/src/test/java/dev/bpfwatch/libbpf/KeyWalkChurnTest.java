package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The key-by-key walk (maps the kernel cannot batch) under concurrent
 * deletes: when the walk's current key is deleted, get_next_key starts over
 * from the first key. The walk must still give each key at most once (it
 * summed duplicates) and stop within a bound set by max_entries.
 */
class KeyWalkChurnTest {
    private static final int ENTRIES = 1000;

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    @Test
    void aWalkUnderDeletesGivesEveryKeyAtMostOnce() throws Exception {
        try (BpfMap map = BpfMap.create(BpfMapType.HASH, "walk_churn", 4, 8, ENTRIES)) {
            for (int k = 0; k < ENTRIES; k++) {
                map.update(u32(k), u64(3L * k), BpfMap.BPF_ANY);
            }
            AtomicBoolean stop = new AtomicBoolean();
            // One key at a time is briefly missing: a walk standing on it restarts.
            Thread churn = new Thread(() -> {
                while (!stop.get()) {
                    for (int k = 0; k < ENTRIES && !stop.get(); k++) {
                        map.delete(u32(k));
                        map.update(u32(k), u64(3L * k), BpfMap.BPF_ANY);
                    }
                }
            });
            churn.start();
            int restartsSeen = 0;
            try {
                for (int walk = 0; walk < 100; walk++) {
                    List<BpfMap.Entry> entries = map.entriesKeyByKey();
                    Set<Integer> keys = new HashSet<>();
                    for (BpfMap.Entry e : entries) {
                        int k = ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder()).getInt();
                        assertTrue(keys.add(k), "walk " + walk + " gave key " + k + " twice");
                        assertEquals(3L * k, ByteBuffer.wrap(e.value()).order(ByteOrder.nativeOrder()).getLong());
                    }
                    assertTrue(entries.size() <= ENTRIES, "walk " + walk + ": " + entries.size() + " entries");
                    restartsSeen += entries.size() < ENTRIES - 1 ? 1 : 0;
                }
            } finally {
                stop.set(true);
                churn.join();
            }
            System.out.println("walks that lost keys to a restart or a missing key: " + restartsSeen + " of 100");
        }
    }
}
