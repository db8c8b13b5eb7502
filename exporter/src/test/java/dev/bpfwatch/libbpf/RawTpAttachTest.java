package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.MagicCallCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * raw_tp on sys_enter, filtered to getpgid (programs/testdata/attach_raw_tp.bpf.c).
 * Every kernel bpfwatch supports has it: no feature gate, a failure is a failure.
 */
@Tag("matrix")
class RawTpAttachTest {

    @Test
    void rawTpCountsEachMagicGetpgidCall() {
        MagicCallCheck.run("attach_raw_tp");
    }
}
