package dev.bpfwatch.tracing;

/** Where decoded spans go. Sends never block the ring buffer's reader. */
public interface SpanSink extends AutoCloseable {
    /** Queues a span for export; false when it was dropped (queue full, or no exporter configured). */
    boolean send(KernelSpan span);

    /** Spans that reached the queue but not the collector: export failed or timed out. */
    long failed();

    /** Sends what is queued and stops. */
    @Override
    void close();
}
