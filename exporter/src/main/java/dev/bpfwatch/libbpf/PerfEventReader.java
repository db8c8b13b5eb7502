package dev.bpfwatch.libbpf;

import java.util.function.Consumer;
import java.util.function.LongConsumer;
import jnr.ffi.Pointer;

/**
 * Reads a BPF_MAP_TYPE_PERF_EVENT_ARRAY: one ring per CPU, drained by a
 * daemon thread that hands every sample to {@code onSample} and every count
 * of samples the kernel had to drop (ring full) to {@code onLost}. Closing
 * stops the thread before the rings are freed, so no callback runs after.
 */
public final class PerfEventReader implements AutoCloseable {
    private static final int POLL_MS = 200;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PerfEventReader.class.getName());

    private final String mapName;
    private final Pointer buffer;
    // Held so the native callbacks stay reachable as long as libbpf may call them.
    private final LibbpfNative.PerfSampleCallback sampleCallback;
    private final LibbpfNative.PerfLostCallback lostCallback;
    private final Thread poller;
    private volatile boolean closing;
    /** Why the poller stopped on its own; null while it reads. */
    private volatile String failure;

    private PerfEventReader(String mapName, Pointer buffer, LibbpfNative.PerfSampleCallback sampleCallback,
                            LibbpfNative.PerfLostCallback lostCallback) {
        this.mapName = mapName;
        this.buffer = buffer;
        this.sampleCallback = sampleCallback;
        this.lostCallback = lostCallback;
        this.poller = new Thread(this::poll, "perf-events-" + mapName);
        this.poller.setDaemon(true);
    }

    /**
     * Opens the rings of {@code map} ({@code pagesPerCpu} pages each, a power
     * of two) and starts reading.
     */
    public static PerfEventReader start(BpfMap map, int pagesPerCpu, Consumer<byte[]> onSample, LongConsumer onLost) {
        if (map.type() != BpfMapType.PERF_EVENT_ARRAY) {
            throw new LibbpfException("read events from map " + map.name(), 22, "it is a " + map.type()
                    + ", not a PERF_EVENT_ARRAY");
        }
        LibbpfNative.PerfSampleCallback sample = (ctx, cpu, data, size) -> {
            byte[] bytes = new byte[size];
            data.get(0, bytes, 0, size);
            try {
                onSample.accept(bytes);
            } catch (RuntimeException e) {
                // Never let an exception unwind into libbpf's C frames.
                LOG.log(java.util.logging.Level.FINE, "perf events of map " + map.name() + ": " + e.getMessage(), e);
            }
        };
        LibbpfNative.PerfLostCallback lost = (ctx, cpu, count) -> onLost.accept(count);
        LibbpfLog.Captured<Pointer> opened = LibbpfLog.capture(
                () -> Native.BPF.perf_buffer__new(map.fd(), pagesPerCpu, sample, lost, null, null));
        int err = Native.errno();
        if (opened.result() == null) {
            throw new LibbpfException("open perf event rings of map " + map.name(), err,
                    LibbpfLog.lastLine(opened.log()));
        }
        PerfEventReader reader = new PerfEventReader(map.name(), opened.result(), sample, lost);
        reader.poller.start();
        return reader;
    }

    private void poll() {
        while (!closing) {
            int rc = Native.BPF.perf_buffer__poll(buffer, POLL_MS);
            if (rc < 0 && -rc != 4) { // EINTR: a signal, poll again
                failure = "poll failed: " + LibbpfException.errnoName(-rc);
                LOG.warning("perf events of map " + mapName + ": " + failure + "; its events are no longer counted");
                return;
            }
        }
    }

    public String mapName() {
        return mapName;
    }

    /** False once the poller stopped on an error: the metric's counts no longer move. */
    public boolean reading() {
        return failure == null && poller.isAlive();
    }

    /** Why reading stopped, if it did. */
    public java.util.Optional<String> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    /** The epoll fd the poller waits on (tests break it to see a failure reported). */
    int epollFd() {
        return Native.BPF.perf_buffer__epoll_fd(buffer);
    }

    @Override
    public void close() {
        closing = true;
        if (Pollers.stopped(poller, 5L * POLL_MS + 1000)) {
            Native.BPF.perf_buffer__free(buffer);
        }
    }
}
