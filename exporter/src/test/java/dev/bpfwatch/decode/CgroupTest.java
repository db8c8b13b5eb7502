package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.s;
import static dev.bpfwatch.decode.DecoderTests.u64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.decode.DecoderTests.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A temporary tree stands in for /sys/fs/cgroup: ids are its directories' inode numbers. */
class CgroupTest {
    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock();
    private Cgroup cgroup;

    @BeforeEach
    void tree() throws IOException {
        Files.createDirectories(root.resolve("system.slice/foo.service"));
        Files.createDirectories(root.resolve("user.slice/user-1000.slice"));
        Files.writeString(root.resolve("system.slice/cgroup.procs"), "1\n");
        cgroup = new Cgroup(root, clock.throttle());
    }

    private static byte[] id(Path dir) throws IOException {
        return s(Long.toString(((Number) Files.getAttribute(dir, "unix:ino")).longValue()));
    }

    @Test
    void pathsAsEbpfExporterPrintsThem() throws Exception {
        Path foo = root.resolve("system.slice/foo.service");
        Path user = root.resolve("user.slice/user-1000.slice");
        assertDecodes(cgroup, PLAIN, id(foo), root + "/system.slice/foo.service");
        assertDecodes(cgroup, PLAIN, id(user), root + "/user.slice/user-1000.slice");
        assertDecodes(cgroup, PLAIN, id(root.resolve("system.slice")), root + "/system.slice");
        assertDecodes(cgroup, PLAIN, id(root), root.toString());
        // a file's inode is no cgroup
        clock.advance(Duration.ofSeconds(1));
        assertDecodes(cgroup, PLAIN, id(root.resolve("system.slice/cgroup.procs")),
                "unknown_cgroup_id:" + new String(id(root.resolve("system.slice/cgroup.procs"))));
    }

    /** The tree is watched: a cgroup made a moment ago resolves at once, with no walk. */
    @Test
    void newCgroupsResolveAtOnceAndUnknownIdsAreProvisional() throws Exception {
        assertDecodes(cgroup, PLAIN, id(root.resolve("system.slice")), root + "/system.slice");
        Path fresh = Files.createDirectories(root.resolve("system.slice/bar.service/nested"));
        assertDecodes(cgroup, PLAIN, id(fresh), root + "/system.slice/bar.service/nested");
        assertDecodes(cgroup, PLAIN, id(fresh.getParent()), root + "/system.slice/bar.service");
        byte[] goneId = id(fresh);
        Files.delete(fresh);
        Decoded gone = cgroup.decodeLabel(goneId, PLAIN);
        assertEquals("unknown_cgroup_id:" + new String(goneId), new String(gone.value(), StandardCharsets.UTF_8));
        assertTrue(gone.provisional(), "an unknown id must not be cached as its label");
        // this file system reuses inode numbers: the id of a new directory names it, not the old one
        Path other = Files.createDirectories(root.resolve("system.slice/baz.service"));
        assertDecodes(cgroup, PLAIN, id(other), root + "/system.slice/baz.service");
        assertFalse(cgroup.decodeLabel(id(root), PLAIN).provisional());
    }

    @Test
    void unknownIds() throws DecoderException {
        assertDecodes(cgroup, PLAIN, s("1"), "unknown_cgroup_id:1");
        assertDecodes(cgroup, PLAIN, s("18446744073709551615"), "unknown_cgroup_id:18446744073709551615");
    }

    @Test
    void takesTheTextOfUint() {
        assertRejects(cgroup, PLAIN, u64(1));
        assertInvalid(cgroup, PLAIN, 8, "reads the decimal text of a number: put 'uint' before it");
    }

    @Test
    void missingRootOnlyLeavesIdsUnknown(@TempDir Path dir) throws DecoderException {
        Cgroup none = new Cgroup(dir.resolve("absent"), clock.throttle());
        assertDecodes(none, PLAIN, s("42"), "unknown_cgroup_id:42");
    }
}
