package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Resources;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VerifierRejectionTest {

    @Test
    void rejectionCarriesTheVerifiersComplaintAndLeavesNothingBehind() {
        java.util.Set<Integer> before = Bpftool.programIds("accepted_first");
        VerifierException e;
        try (BpfObject obj = BpfObject.open(Resources.testObject("verifier_reject"))) {
            e = assertThrows(VerifierException.class, obj::load);
        }
        assertEquals("unchecked_read", e.program());
        assertEquals("EACCES", e.errnoName());
        // The verifier's own words about the unchecked packet read.
        assertTrue(e.getMessage().contains("invalid") && e.getMessage().contains("access"), e.getMessage());
        assertTrue(e.verifierLog().lines().count() > 1, "whole log kept: " + e.verifierLog());
        // Held by no fd of this process (program, link or map): nothing of it can stay in the kernel.
        assertEquals(0, Bpftool.countOwnPrograms("accepted_first"), "no program left loaded");
        assertEquals(java.util.Set.of(), Bpftool.newProgramsSince(before, "accepted_first"),
                "bpftool prog list shows no program left over by the test");
        assertEquals(0, Bpftool.countOwnMaps("reject_counts"), "no map left behind");
    }

    @Test
    void aLogLongerThanALineStillGivesTheVerifiersReason() {
        VerifierException e;
        try (BpfObject obj = BpfObject.open(Resources.testObject("verifier_reject_long"))) {
            e = assertThrows(VerifierException.class, obj::load);
        }
        // libbpf prints the whole log as one message; cut at the callback's line buffer (8 KiB),
        // the reason at its end and the end marker were lost and only "failed to load object" was left.
        assertTrue(e.verifierLog().length() > 16 * 1024, "log of " + e.verifierLog().length() + " chars");
        assertEquals("long_walk_reject", e.program());
        assertTrue(e.reason() != null && e.reason().contains("invalid") && e.reason().contains("access"),
                "reason: " + e.reason());
        assertEquals(0, Bpftool.countOwnPrograms("long_walk_reject"), "no program left loaded");
        assertEquals(0, Bpftool.countOwnMaps("long_reject_cou"), "no map left behind");
    }

    @Test
    void theLeakCheckSeesWhatThisProcessHolds() {
        // The check above means something only if it counts a loaded program and map.
        try (BpfObject obj = BpfObject.open(Resources.testObject("test_maps"))) {
            obj.load();
            assertEquals(1, Bpftool.countOwnPrograms("test_maps_anchor"));
            assertEquals(1, Bpftool.countOwnMaps("test_hash"));
        }
        assertEquals(0, Bpftool.countOwnPrograms("test_maps_anchor"));
        assertEquals(0, Bpftool.countOwnMaps("test_hash"));
    }

    @Test
    void missingObjectFileNamesTheFile() {
        LibbpfException e = assertThrows(LibbpfException.class,
                () -> BpfObject.open(Path.of("/nonexistent/thing.bpf.o")));
        assertTrue(e.getMessage().contains("/nonexistent/thing.bpf.o"), e.getMessage());
        assertEquals("ENOENT", e.errnoName());
    }

    @Test
    void garbageBytesAreATypedErrorNotACrash() {
        byte[] garbage = new byte[4096];
        new java.util.Random(42).nextBytes(garbage);
        LibbpfException e = assertThrows(LibbpfException.class, () -> BpfObject.open("garbage", garbage));
        assertTrue(e.getMessage().startsWith("open garbage"), e.getMessage());
    }
}
