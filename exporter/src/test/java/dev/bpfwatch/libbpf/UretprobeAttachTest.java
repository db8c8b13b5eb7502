package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.MagicCallCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * uretprobe on libc's getpgid, entries marked by a uprobe (programs/testdata/attach_uretprobe.bpf.c).
 * Every kernel bpfwatch supports has it: no feature gate, a failure is a failure.
 */
@Tag("matrix")
class UretprobeAttachTest {

    @Test
    void uretprobeCountsEachMagicGetpgidCall() {
        MagicCallCheck.run("attach_uretprobe");
    }
}
