package dev.bpfwatch.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.probe.Feature;
import dev.bpfwatch.testing.KernelFeature.Outcome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The gate the kprobe and fentry tests go through: skip on a host without the hook, fail in the matrix. */
@Tag("matrix")
class KernelFeatureTest {
    private static final Feature MISSING = new Feature(Feature.Status.NOT_SUPPORTED, "attach: EOPNOTSUPP");

    @Test
    void missingFeatureSkipsOutsideTheMatrixNamingWhy() {
        KernelFeature.Verdict v = KernelFeature.decide("kprobe", MISSING, "6.18.44", null);
        assertEquals(Outcome.SKIP, v.outcome());
        assertTrue(v.reason().contains("kprobe") && v.reason().contains("6.18.44")
                && v.reason().contains("EOPNOTSUPP"), v.reason());
        assertEquals(Outcome.SKIP, KernelFeature.decide("kprobe", MISSING, "6.18.44", " ").outcome());
    }

    @Test
    void missingFeatureFailsInTheMatrix() {
        KernelFeature.Verdict v = KernelFeature.decide("fentry", MISSING, "6.1.0-37-amd64", "6.1");
        assertEquals(Outcome.FAIL, v.outcome());
        assertTrue(v.reason().contains("fentry") && v.reason().contains("matrix (6.1)"), v.reason());
    }

    @Test
    void availableRunsAndUnknownAlwaysFails() {
        Feature ok = new Feature(Feature.Status.AVAILABLE, "attaches");
        Feature unknown = new Feature(Feature.Status.UNKNOWN, "probe object missing from the jar");
        assertEquals(Outcome.RUN, KernelFeature.decide("kprobe", ok, "5.10.0", null).outcome());
        assertEquals(Outcome.RUN, KernelFeature.decide("kprobe", ok, "5.10.0", "5.10").outcome());
        assertEquals(Outcome.FAIL, KernelFeature.decide("kprobe", unknown, "6.18", null).outcome());
    }

    @Test
    void theHostsVerdictAgreesWithTheProbe() {
        // The real probe on this kernel: tracepoints are on every supported kernel, so require() returns.
        KernelFeature.require("tracepoint");
    }
}
