package dev.bpfwatch.libbpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import jnr.ffi.Pointer;

/**
 * Reads BPF_MAP_TYPE_RINGBUF maps: one libbpf ring_buffer manager for all the
 * maps of a config, drained by one daemon thread that hands each record to
 * the consumer given for its map. Unlike perf event arrays, a ring buffer
 * does not report what it could not take: a full ring makes the program's
 * reserve fail, which the program sees and the reader does not. Closing stops
 * the thread before the manager is freed, so no callback runs after.
 */
public final class RingBufferReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RingBufferReader.class.getName());
    private static final int POLL_MS = 200;
    private static final int EINTR = 4;

    private final String name;
    private final Pointer manager;
    // Held so the native callbacks stay reachable as long as libbpf may call them.
    private final List<LibbpfNative.RingSampleCallback> callbacks;
    private final Thread poller;
    private volatile boolean closing;
    private volatile String failure;

    private RingBufferReader(String name, Pointer manager, List<LibbpfNative.RingSampleCallback> callbacks) {
        this.name = name;
        this.manager = manager;
        this.callbacks = callbacks;
        this.poller = new Thread(this::poll, "ring-buffers-" + name);
        this.poller.setDaemon(true);
    }

    /**
     * Opens every map of {@code readers} (each a RINGBUF) in one manager and
     * starts the thread that reads them.
     *
     * @param name what the thread and messages are named after (the config)
     */
    public static RingBufferReader start(String name, Map<BpfMap, Consumer<byte[]>> readers) {
        if (readers.isEmpty()) {
            throw new IllegalArgumentException("no ring buffer to read");
        }
        List<LibbpfNative.RingSampleCallback> callbacks = new ArrayList<>();
        Pointer manager = null;
        try {
            for (Map.Entry<BpfMap, Consumer<byte[]>> e : readers.entrySet()) {
                BpfMap map = e.getKey();
                if (map.type() != BpfMapType.RINGBUF) {
                    throw new LibbpfException("read ring buffer " + map.name(), 22, "it is a " + map.type()
                            + ", not a RINGBUF");
                }
                LibbpfNative.RingSampleCallback callback = callback(map.name(), e.getValue());
                callbacks.add(callback);
                if (manager == null) {
                    LibbpfLog.Captured<Pointer> opened = LibbpfLog.capture(
                            () -> Native.BPF.ring_buffer__new(map.fd(), callback, null, null));
                    int err = Native.errno();
                    if (opened.result() == null) {
                        throw new LibbpfException("open ring buffer " + map.name(), err,
                                LibbpfLog.lastLine(opened.log()));
                    }
                    manager = opened.result();
                } else {
                    Pointer m = manager;
                    LibbpfLog.Captured<Integer> added = LibbpfLog.capture(
                            () -> Native.BPF.ring_buffer__add(m, map.fd(), callback, null));
                    if (added.result() < 0) {
                        throw new LibbpfException("open ring buffer " + map.name(), Native.errnoOf(added.result()),
                                LibbpfLog.lastLine(added.log()));
                    }
                }
            }
        } catch (RuntimeException e) {
            if (manager != null) {
                Native.BPF.ring_buffer__free(manager);
            }
            throw e;
        }
        RingBufferReader reader = new RingBufferReader(name, manager, List.copyOf(callbacks));
        reader.poller.start();
        return reader;
    }

    private static LibbpfNative.RingSampleCallback callback(String mapName, Consumer<byte[]> onRecord) {
        return (ctx, data, size) -> {
            try {
                byte[] bytes = new byte[(int) size];
                data.get(0, bytes, 0, bytes.length);
                onRecord.accept(bytes);
            } catch (RuntimeException e) {
                // Never let an exception unwind into libbpf's C frames; the consumer counts its own errors.
                LOG.log(Level.FINE, "ring buffer " + mapName + ": " + e.getMessage(), e);
            }
            return 0;
        };
    }

    private void poll() {
        while (!closing) {
            int rc = Native.BPF.ring_buffer__poll(manager, POLL_MS);
            if (rc < 0 && -rc != EINTR) {
                failure = "poll failed: " + LibbpfException.errnoName(-rc);
                LOG.warning("ring buffers of config " + name + ": " + failure + "; no more records are read");
                return;
            }
        }
    }

    /** False once the poller stopped on an error. */
    public boolean reading() {
        return failure == null && poller.isAlive();
    }

    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void close() {
        closing = true;
        if (Pollers.stopped(poller, 5L * POLL_MS + 1000)) {
            Native.BPF.ring_buffer__free(manager);
        }
    }
}
