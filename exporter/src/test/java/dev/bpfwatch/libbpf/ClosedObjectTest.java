package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Resources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A closed map, object or program is unusable: every later use fails with
 * "closed", never reaches a freed libbpf pointer or an fd number the next
 * open took over.
 */
class ClosedObjectTest {
    private static final byte[] KEY = new byte[4];

    @Test
    void aClosedMapNeverReachesTheMapThatReusedItsFd() {
        BpfMap closed = BpfMap.create(BpfMapType.HASH, "closed_map", 4, 8, 4);
        int number = closed.fd();
        closed.close();
        // The kernel hands out the lowest free fd: within a few opens one gets the closed map's number.
        List<BpfMap> opened = new ArrayList<>();
        try {
            BpfMap next = null;
            for (int i = 0; i < 64 && next == null; i++) {
                BpfMap m = BpfMap.create(BpfMapType.HASH, "next_map", 4, 8, 4);
                opened.add(m);
                next = m.fd() == number ? m : null;
            }
            assertTrue(next != null, "no new map got fd " + number);
            next.update(KEY, new byte[8], BpfMap.BPF_ANY);
            ObjectClosedException e = assertThrows(ObjectClosedException.class, () -> closed.lookup(KEY));
            assertEquals("map closed_map is closed", e.getMessage());
            assertThrows(ObjectClosedException.class, closed::entries);
            assertThrows(ObjectClosedException.class, () -> closed.update(KEY, new byte[8], BpfMap.BPF_ANY));
            closed.close(); // twice: nothing, and above all not the new map's fd
            assertTrue(next.lookup(KEY).isPresent(), "the second close left the new map's fd open");
        } finally {
            opened.forEach(BpfMap::close);
        }
    }

    @Test
    void anObjectsMapsAndProgramsDieWithIt() {
        BpfObject object = BpfObject.open(Resources.testObject("test_maps"));
        object.load();
        BpfMap map = object.map("test_hash").orElseThrow();
        BpfProgram program = object.programs().get(0);
        program.info(); // works while the object lives
        object.close();
        try (BpfMap next = BpfMap.create(BpfMapType.HASH, "next_map", 8, 8, 4)) {
            ObjectClosedException e = assertThrows(ObjectClosedException.class, map::entries);
            assertEquals("map test_hash is closed", e.getMessage());
            assertThrows(ObjectClosedException.class, program::info);
            assertThrows(ObjectClosedException.class, object::maps);
            assertTrue(!object.loaded(), "a closed object is not loaded");
        }
    }
}
