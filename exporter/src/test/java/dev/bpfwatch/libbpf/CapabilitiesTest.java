package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Command;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The EPERM hint names a missing capability only when one is missing. */
class CapabilitiesTest {
    private static long caps(int... bits) {
        long set = 0;
        for (int b : bits) {
            set |= 1L << b;
        }
        return set;
    }

    @Test
    void missingNamesWhatTheSetLacks() {
        assertEquals(List.of("CAP_BPF", "CAP_PERFMON", "CAP_NET_ADMIN"), Capabilities.missing(0));
        assertEquals(List.of("CAP_NET_ADMIN"), Capabilities.missing(caps(Capabilities.CAP_BPF,
                Capabilities.CAP_PERFMON)));
        assertEquals(List.of("CAP_PERFMON"), Capabilities.missing(caps(Capabilities.CAP_BPF,
                Capabilities.CAP_NET_ADMIN)));
        // CAP_SYS_ADMIN is accepted for both BPF and PERFMON.
        assertEquals(List.of(), Capabilities.missing(caps(Capabilities.CAP_SYS_ADMIN, Capabilities.CAP_NET_ADMIN)));
        assertEquals(List.of(), Capabilities.missing(0x1ffffffffffL));
    }

    @Test
    void effectiveIsWhatTheKernelReports() {
        String line = Command.ok("grep", "CapEff", "/proc/self/status").out().strip();
        // grep reads its own status, not ours; both are root's full set here, which is what the tests run as.
        assertEquals(Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16),
                Capabilities.effective().orElseThrow());
    }

    @Test
    void rootWithEveryCapabilityGetsNoCapabilityHint() {
        assertEquals(List.of(), Capabilities.missing(Capabilities.effective().orElseThrow()),
                "the tests run as root with every capability");
        assertEquals("bpf_prog_load: EPERM (Operation not permitted)", new LibbpfException("bpf_prog_load", 1)
                .getMessage());
        assertEquals("bpf_obj_get: EACCES (Permission denied)", new LibbpfException("bpf_obj_get", 13)
                .getMessage());
    }

    @Test
    void processWithoutBpfCapabilitiesIsToldWhichAreMissing() {
        // Root loses capabilities only through the bounding set at exec: run `check` so.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Command c = Command.run("timeout", "60", "setpriv", "--bounding-set=-bpf,-sys_admin,-perfmon", "--", java,
                "-cp", System.getProperty("java.class.path"), "dev.bpfwatch.cli.Main", "check");
        List<String> errors = c.err().lines().filter(l -> l.startsWith("bpfwatch: ")).toList();
        assertEquals(1, errors.size(), c.err());
        assertTrue(errors.get(0).endsWith(": EPERM (Operation not permitted): failed to load object 'kfree_skb_drops'"
                + " [missing capability: CAP_BPF, CAP_PERFMON (bpfwatch needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN,"
                + " or root)]"), errors.get(0));
        assertTrue(c.exit() != 0, c.err());
    }
}
