package dev.bpfwatch.libbpf;

import java.util.function.LongConsumer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A PERF_EVENT_ARRAY of its own (one ring per possible CPU) for programs
 * that emit many samples, such as captured packets, with the wakeup policy
 * set here: libbpf's perf_buffer__new wakes the reader on every sample,
 * about 1 us a packet on this kind of machine, while a wakeup every 64
 * samples costs about 120 ns (DESIGN.md). Samples below the wakeup point are
 * drained on every poll timeout, so a quiet ring is still read within
 * {@link #POLL_MS}. Closing stops the reader, drains what is left, then
 * frees the rings: nothing written before close is lost.
 */
public final class PacketPerfBuffer implements AutoCloseable {
    /** Upper bound on the delay of a sample in a ring that never reaches its wakeup point. */
    public static final int POLL_MS = 100;
    private static final int PAGE = 4096;
    private static final int ATTR_SIZE = 128;
    private static final int PERF_TYPE_SOFTWARE = 1;
    private static final int PERF_COUNT_SW_BPF_OUTPUT = 10;
    private static final long PERF_SAMPLE_RAW = 1 << 10;
    private static final long WATERMARK_BIT = 1L << 14;
    private static final int PERF_RECORD_LOST = 2;
    private static final int PERF_RECORD_SAMPLE = 9;
    private static final int LIBBPF_PERF_EVENT_CONT = -2;

    /** Receives one sample's bytes (what the program passed to bpf_perf_event_output, padded to 8). */
    public interface SampleSink {
        void sample(int cpu, byte[] data);
    }

    private final BpfMap map;
    private final Pointer buffer;
    // Held so the native callback stays reachable while libbpf may call it.
    private final LibbpfNative.PerfRawCallback callback;
    private final Thread poller;
    private volatile boolean closing;
    private boolean freed;

    private PacketPerfBuffer(BpfMap map, Pointer buffer, LibbpfNative.PerfRawCallback callback) {
        this.map = map;
        this.buffer = buffer;
        this.callback = callback;
        this.poller = new Thread(this::poll, "perf-packets-" + map.name());
        this.poller.setDaemon(true);
    }

    /**
     * Creates the map and its rings and starts reading.
     *
     * @param bytesPerCpu ring size per CPU; rounded up to a power of two pages
     * @param wakeupEvents wake the reader every this many samples, when {@code watermarkBytes} is 0
     * @param watermarkBytes wake the reader when this many bytes wait in a ring (0: count samples instead)
     */
    public static PacketPerfBuffer start(String name, long bytesPerCpu, int wakeupEvents, int watermarkBytes,
                                         SampleSink sink, LongConsumer onLost) {
        int cpus = Cpus.possible();
        BpfMap map = BpfMap.create(BpfMapType.PERF_EVENT_ARRAY, name, 4, 4, cpus);
        try {
            Pointer attr = Memory.allocateDirect(Native.RUNTIME, ATTR_SIZE, true);
            attr.putInt(0, PERF_TYPE_SOFTWARE);
            attr.putInt(4, ATTR_SIZE);
            attr.putLong(8, PERF_COUNT_SW_BPF_OUTPUT);
            attr.putLong(16, 1); // sample_period: every output is a sample
            attr.putLong(24, PERF_SAMPLE_RAW);
            if (watermarkBytes > 0) {
                attr.putLong(40, WATERMARK_BIT);
                attr.putInt(48, watermarkBytes);
            } else {
                attr.putInt(48, Math.max(1, wakeupEvents));
            }
            LibbpfNative.PerfRawCallback callback = (ctx, cpu, header) -> {
                int type = header.getInt(0);
                try {
                    if (type == PERF_RECORD_SAMPLE) {
                        int size = header.getInt(8);
                        byte[] data = new byte[size];
                        header.get(12, data, 0, size);
                        sink.sample(cpu, data);
                    } else if (type == PERF_RECORD_LOST) {
                        onLost.accept(header.getLong(16));
                    }
                } catch (RuntimeException e) {
                    // Never unwind into libbpf's C frames: a sample the sink cannot take is skipped.
                }
                return LIBBPF_PERF_EVENT_CONT;
            };
            LibbpfLog.Captured<Pointer> opened = LibbpfLog.capture(
                    () -> Native.BPF.perf_buffer__new_raw(map.fd(), pages(bytesPerCpu), attr, callback, null, null));
            int err = Native.errno();
            if (opened.result() == null) {
                throw new LibbpfException("open perf rings of " + name, err, LibbpfLog.lastLine(opened.log()));
            }
            PacketPerfBuffer b = new PacketPerfBuffer(map, opened.result(), callback);
            b.poller.start();
            return b;
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
    }

    /** Pages per CPU: the kernel wants a power of two. */
    static long pages(long bytes) {
        long pages = Math.max(1, (bytes + PAGE - 1) / PAGE);
        return Long.highestOneBit(pages) == pages ? pages : Long.highestOneBit(pages) << 1;
    }

    /** The PERF_EVENT_ARRAY programs write to (BPF_F_CURRENT_CPU). */
    public BpfMap map() {
        return map;
    }

    private void poll() {
        while (!closing) {
            int rc = Native.BPF.perf_buffer__poll(buffer, POLL_MS);
            if (rc < 0 && -rc != 4) { // EINTR: a signal, poll again
                return;
            }
            Native.BPF.perf_buffer__consume(buffer);
        }
    }

    /** Stops reading after draining every ring; the sink sees no sample after this returns. */
    @Override
    public synchronized void close() {
        if (freed) {
            return;
        }
        closing = true;
        try {
            poller.join(5L * POLL_MS + 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!poller.isAlive()) {
            Native.BPF.perf_buffer__consume(buffer);
            Native.BPF.perf_buffer__free(buffer);
            freed = true;
        }
        // A poller stuck past the join keeps the rings: freeing them under it would crash.
        map.close();
    }
}
