package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.MagicCallCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The syscalls:sys_enter_getpgid tracepoint (programs/testdata/attach_tracepoint.bpf.c).
 * Every kernel bpfwatch supports has it: no feature gate, a failure is a failure.
 */
@Tag("matrix")
class TracepointAttachTest {

    @Test
    void tracepointCountsEachMagicGetpgidCall() {
        MagicCallCheck.run("attach_tracepoint");
    }
}
