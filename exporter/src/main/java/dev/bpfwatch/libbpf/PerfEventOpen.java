package dev.bpfwatch.libbpf;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** perf_event_open(2) for one CPU, all processes: the event a perf_event program runs on. */
final class PerfEventOpen {
    private static final long SYS_PERF_EVENT_OPEN = 298; // x86_64
    /** PERF_ATTR_SIZE_VER5; the kernel accepts any known size whose tail it does not know is zero. */
    private static final int ATTR_SIZE = 112;
    private static final int OFF_TYPE = 0;
    private static final int OFF_SIZE = 4;
    private static final int OFF_CONFIG = 8;
    private static final int OFF_SAMPLE_PERIOD_OR_FREQ = 16;
    private static final int OFF_FLAGS = 40;
    private static final long FLAG_FREQ = 1L << 10;
    private static final long PERF_FLAG_FD_CLOEXEC = 1L << 3;
    private static final int ALL_PROCESSES = -1;
    private static final int NO_GROUP = -1;
    private static final int ENOENT = 2;

    private PerfEventOpen() {
    }

    /** The event enabled and counting; the caller owns the fd. */
    static int open(PerfEventSection s, int cpu, BpfProgram program) {
        Pointer attr = Memory.allocateDirect(Native.RUNTIME, ATTR_SIZE, true);
        attr.putInt(OFF_TYPE, s.type());
        attr.putInt(OFF_SIZE, ATTR_SIZE);
        attr.putLong(OFF_CONFIG, s.config());
        if (s.frequency() > 0) {
            attr.putLong(OFF_SAMPLE_PERIOD_OR_FREQ, s.frequency());
            attr.putLong(OFF_FLAGS, FLAG_FREQ);
        } else {
            attr.putLong(OFF_SAMPLE_PERIOD_OR_FREQ, s.samplePeriod());
        }
        long fd = Native.LIBC.syscall(SYS_PERF_EVENT_OPEN, attr, ALL_PROCESSES, cpu, NO_GROUP, PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) {
            int err = Native.errno();
            throw new LibbpfException("attach " + program.name() + " (" + program.section() + "): perf_event_open on CPU "
                    + cpu, err, err == ENOENT ? "this machine has no such event (type " + s.type() + ", config "
                    + s.config() + ")" : null);
        }
        return (int) fd;
    }
}
