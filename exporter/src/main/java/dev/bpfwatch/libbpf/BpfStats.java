package dev.bpfwatch.libbpf;

/**
 * Kernel BPF run-time statistics (run count and time per program), switched
 * on with the BPF_ENABLE_STATS fd: unlike the kernel.bpf_stats_enabled
 * sysctl it switches off again by itself when closed, even if we crash.
 */
public final class BpfStats implements AutoCloseable {
    private static final int BPF_STATS_RUN_TIME = 0;
    private int fd;

    private BpfStats(int fd) {
        this.fd = fd;
    }

    public static BpfStats enable() {
        int fd = Native.BPF.bpf_enable_stats(BPF_STATS_RUN_TIME);
        if (fd < 0) {
            throw new LibbpfException("enable BPF stats", Native.errnoOf(fd));
        }
        return new BpfStats(fd);
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.LIBC.close(fd);
            fd = -1;
        }
    }
}
