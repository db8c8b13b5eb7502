package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.MagicCallCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * uprobe on libc's getpgid (programs/testdata/attach_uprobe.bpf.c).
 * Every kernel bpfwatch supports has it: no feature gate, a failure is a failure.
 */
@Tag("matrix")
class UprobeAttachTest {

    @Test
    void uprobeCountsEachMagicGetpgidCall() {
        MagicCallCheck.run("attach_uprobe");
    }
}
