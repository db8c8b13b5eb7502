package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cgroup.CgroupTree;
import dev.bpfwatch.decode.DecoderTests.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cgroup decoder on the real cgroup v2 tree, as ebpf_exporter's monitor
 * test checks its fanotify monitor: cgroups made one by one and in a burst
 * each resolve right after mkdir, a cgroup made again under the same name
 * resolves to its new id, and none of it waits for a walk (the throttle's
 * clock never moves here, so only the first lookup could walk).
 */
class CgroupWatchTest {
    private final Path parent = CgroupTree.v2Root().resolve("bpfwatch-test-watch-" + ProcessHandle.current().pid());
    private final ManualClock clock = new ManualClock();

    @BeforeEach
    void parent() throws IOException {
        Assumptions.assumeTrue(Files.exists(CgroupTree.v2Root().resolve("cgroup.controllers")), "no cgroup v2 here");
        Files.createDirectory(parent);
    }

    @AfterEach
    void removeAll() throws IOException {
        if (!Files.exists(parent)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> all = Files.walk(parent)) {
            dirs = all.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path d : dirs) {
            Files.delete(d); // rmdir: cgroups without processes
        }
    }

    private static long id(Path dir) throws IOException {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    private static String decode(Cgroup c, long id) throws DecoderException {
        Decoded d = c.decodeLabel(s(Long.toString(id)), PLAIN);
        String label = new String(d.value(), StandardCharsets.UTF_8);
        assertEquals(label.startsWith("unknown_cgroup_id:"), d.provisional(), "only a fallback is provisional");
        return label;
    }

    @Test
    void cgroupsMadeJustBeforeTheirFirstLookupResolve() throws Exception {
        Cgroup cgroup = new Cgroup(parent, clock.throttle());
        cgroup.validate(PLAIN, -1); // config load: the watch starts here

        assertEquals("unknown_cgroup_id:88888888888", decode(cgroup, 88888888888L));
        int resolved = 0;
        for (int i = 0; i < 20; i++) {
            Path dir = Files.createDirectory(parent.resolve("one-" + i));
            if (decode(cgroup, id(dir)).equals(dir.toString())) {
                resolved++;
            }
        }
        assertEquals(20, resolved, "cgroups made one by one, each looked up right after mkdir");

        List<Path> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(Files.createDirectory(parent.resolve("burst-" + i)));
        }
        for (Path dir : burst) {
            assertEquals(dir.toString(), decode(cgroup, id(dir)));
        }

        // nested right away: the child exists before a watch on its parent could
        Path deep = Files.createDirectories(parent.resolve("a/b/c"));
        assertEquals(deep.toString(), decode(cgroup, id(deep)));

        Path again = parent.resolve("burst-2");
        long before = id(again);
        Files.delete(again);
        Files.createDirectory(again);
        long after = id(again);
        assertFalse(before == after, "a new cgroup has a new id");
        assertEquals(again.toString(), decode(cgroup, after));
        assertEquals("unknown_cgroup_id:" + before, decode(cgroup, before));
    }
}
