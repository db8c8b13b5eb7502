package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Resources;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A raw tracepoint program reading past its tracepoint's arguments loads but cannot attach
 * (EINVAL, with libbpf saying only "Invalid argument"): the error says which tracepoint has fewer
 * arguments than the program reads (programs/testdata/raw_tp_too_many_args.bpf.c).
 */
@Tag("matrix")
class RawTpArgumentsTest {
    @Test
    void attachSaysTheTracepointHasFewerArgumentsThanTheProgramReads() {
        try (BpfObject obj = BpfObject.open(Resources.testObject("raw_tp_too_many_args"))) {
            obj.load();
            LibbpfException e = assertThrows(LibbpfException.class,
                    () -> obj.program("raw_tp_reads_too_far").orElseThrow().attach());
            assertEquals("EINVAL", e.errnoName());
            assertTrue(e.getMessage().startsWith("attach raw_tp_reads_too_far (raw_tp/sys_enter): EINVAL"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(": raw tracepoint sys_enter has fewer arguments on this kernel "
                    + "than the program reads"), e.getMessage());
            assertEquals(1, Bpftool.countOwnPrograms("raw_tp_reads_too_far"), "loaded while the object is open");
        }
        assertEquals(0, Bpftool.countOwnPrograms("raw_tp_reads_too_far"), "program still held after close");
    }
}
