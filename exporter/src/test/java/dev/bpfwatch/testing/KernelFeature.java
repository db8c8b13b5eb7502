package dev.bpfwatch.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfwatch.probe.Feature;
import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.probe.FeatureReport;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether a test may rely on an attach type, asked of the agent's own
 * feature probe, so a test and the product agree on what this kernel has.
 * Where the kernel lacks it (this development host has no CONFIG_KPROBES
 * and refuses fentry) the test is skipped, naming why; in the kernel matrix,
 * whose guests set {@value #MATRIX_KERNEL}, stock kernels have every type,
 * so a missing one fails instead of hiding as a skip. "Could not tell"
 * always fails: a broken probe is a bug, not a kernel's limit.
 */
public final class KernelFeature {
    public static final String MATRIX_KERNEL = "bpfwatch.matrix.kernel";
    /** Attach types that ride on the same kernel machinery as one the probe tries. */
    private static final Map<String, String> PROBED_AS = Map.of("kretprobe", "kprobe", "fexit", "fentry");

    public enum Outcome { RUN, SKIP, FAIL }

    public record Verdict(Outcome outcome, String reason) {
    }

    private KernelFeature() {
    }

    /** Returns when the kernel has {@code attachType}; otherwise skips or fails the calling test. */
    public static void require(String attachType) {
        String probed = PROBED_AS.getOrDefault(attachType, attachType);
        FeatureReport report = FeatureProbe.report();
        Feature feature = report.attachTypes().get(probed);
        if (feature == null) {
            throw new IllegalArgumentException("the feature probe does not try " + probed + "; it tries "
                    + FeatureProbe.attachTypes());
        }
        String asked = probed.equals(attachType) ? attachType : attachType + " (probed as " + probed + ")";
        Verdict v = decide(asked, feature, report.kernelRelease(), System.getProperty(MATRIX_KERNEL));
        if (v.outcome() == Outcome.FAIL) {
            fail(v.reason());
        }
        if (v.outcome() == Outcome.SKIP) {
            KernelMatrix.notAvailable(MagicCallCheck.feature(attachType), feature.detail());
        }
        Assumptions.assumeTrue(v.outcome() == Outcome.RUN, v.reason());
    }

    /** The decision alone, for {@link #require} and its own test. */
    public static Verdict decide(String attachType, Feature feature, String kernelRelease, String matrixKernel) {
        String found = attachType + " on kernel " + kernelRelease + ": " + feature.detail();
        switch (feature.status()) {
            case AVAILABLE:
                return new Verdict(Outcome.RUN, found);
            case UNKNOWN:
                return new Verdict(Outcome.FAIL, "the feature probe could not tell about " + found);
            default:
                if (matrixKernel != null && !matrixKernel.isBlank()) {
                    return new Verdict(Outcome.FAIL, "not available: " + found + "; the kernel matrix ("
                            + matrixKernel + ") expects it");
                }
                return new Verdict(Outcome.SKIP, "not available: " + found + " (with -D" + MATRIX_KERNEL
                        + " set this fails instead)");
        }
    }
}
