package dev.bpfwatch.tracing;

import java.util.function.Supplier;

/**
 * The agent's one span sink, made when the first tracing config starts: an
 * agent without tracing configs never loads the OpenTelemetry SDK, nor pays
 * for its start-up.
 */
public final class SpanExports implements AutoCloseable {
    private final Supplier<SpanSink> factory;
    private SpanSink sink;

    public SpanExports() {
        // A lambda, not a method reference: OtlpSpanSink (and the SDK) load only when it runs.
        this(() -> OtlpSpanSink.create());
    }

    public SpanExports(Supplier<SpanSink> factory) {
        this.factory = factory;
    }

    public synchronized SpanSink sink() {
        if (sink == null) {
            sink = factory.get();
        }
        return sink;
    }

    /** Spans whose export failed, since start; 0 before any tracing config. */
    public synchronized long failed() {
        return sink == null ? 0 : sink.failed();
    }

    @Override
    public synchronized void close() {
        if (sink != null) {
            sink.close();
            sink = null;
        }
    }
}
