package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.MagicCallCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * tp_btf on sys_enter, filtered to getpgid (programs/testdata/attach_tp_btf.bpf.c).
 * Every kernel bpfwatch supports has it: no feature gate, a failure is a failure.
 */
@Tag("matrix")
class TpBtfAttachTest {

    @Test
    void tpBtfCountsEachMagicGetpgidCall() {
        MagicCallCheck.run("attach_tp_btf");
    }
}
