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
        int programsBefore = Bpftool.countPrograms("accepted_first");
        int mapsBefore = Bpftool.countMaps("reject_counts");
        VerifierException e;
        try (BpfObject obj = BpfObject.open(Resources.testObject("verifier_reject"))) {
            e = assertThrows(VerifierException.class, obj::load);
        }
        assertEquals("unchecked_read", e.program());
        assertEquals("EACCES", e.errnoName());
        // The verifier's own words about the unchecked packet read.
        assertTrue(e.getMessage().contains("invalid") && e.getMessage().contains("access"), e.getMessage());
        assertTrue(e.verifierLog().lines().count() > 1, "whole log kept: " + e.verifierLog());
        assertEquals(programsBefore, Bpftool.awaitProgramsGone("accepted_first"), "no program left loaded");
        assertEquals(mapsBefore, Bpftool.countMaps("reject_counts"), "no map left behind");
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
