package dev.bpfwatch.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/**
 * A kernel span as the OpenTelemetry exporter reads it. The SDK's tracer
 * makes its own ids and reads its own clock; these spans come with both
 * already given by the BPF program, so they go to the exporter as finished
 * span data, without a tracer.
 */
final class ExportedSpan implements SpanData {
    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.create("bpfwatch");

    private final KernelSpan span;
    private final Resource resource;
    private final SpanContext context;
    private final SpanContext parent;
    private final Attributes attributes;

    ExportedSpan(KernelSpan span, Resource resource) {
        this.span = span;
        this.resource = resource;
        this.context = SpanContext.create(span.traceId(), span.spanId(), TraceFlags.getSampled(),
                TraceState.getDefault());
        this.parent = span.parentSpanId() == null ? SpanContext.getInvalid()
                : SpanContext.createFromRemoteParent(span.traceId(), span.parentSpanId(), TraceFlags.getSampled(),
                        TraceState.getDefault());
        AttributesBuilder b = Attributes.builder();
        span.attributes().forEach(b::put);
        this.attributes = b.build();
    }

    @Override
    public String getName() {
        return span.name();
    }

    @Override
    public SpanKind getKind() {
        return SpanKind.INTERNAL;
    }

    @Override
    public SpanContext getSpanContext() {
        return context;
    }

    @Override
    public SpanContext getParentSpanContext() {
        return parent;
    }

    @Override
    public StatusData getStatus() {
        return StatusData.unset();
    }

    @Override
    public long getStartEpochNanos() {
        return span.startEpochNanos();
    }

    @Override
    public Attributes getAttributes() {
        return attributes;
    }

    @Override
    public List<EventData> getEvents() {
        return List.of();
    }

    @Override
    public List<LinkData> getLinks() {
        return List.of();
    }

    @Override
    public long getEndEpochNanos() {
        return span.endEpochNanos();
    }

    @Override
    public boolean hasEnded() {
        return true;
    }

    @Override
    public int getTotalRecordedEvents() {
        return 0;
    }

    @Override
    public int getTotalRecordedLinks() {
        return 0;
    }

    @Override
    public int getTotalAttributeCount() {
        return attributes.size();
    }

    @Override
    @SuppressWarnings("deprecation") // still abstract in SpanData; the scope below is what exporters read
    public io.opentelemetry.sdk.common.InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return io.opentelemetry.sdk.common.InstrumentationLibraryInfo.create(SCOPE.getName(), null);
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return SCOPE;
    }

    @Override
    public Resource getResource() {
        return resource;
    }
}
