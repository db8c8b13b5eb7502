package dev.bpfwatch.libbpf;

/**
 * A feature this kernel does not offer (kprobes without CONFIG_KPROBES,
 * fentry where the kernel refuses it). Callers test for this type to report
 * and degrade instead of failing.
 */
public final class NotSupportedException extends LibbpfException {
    private final String feature;

    public NotSupportedException(String feature, String operation, int errno) {
        super(operation, errno, feature + " is not available on this kernel");
        this.feature = feature;
    }

    public String feature() {
        return feature;
    }
}
