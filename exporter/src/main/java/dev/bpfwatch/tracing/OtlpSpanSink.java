package dev.bpfwatch.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Sends kernel spans over OTLP with the exporter OpenTelemetry's
 * autoconfiguration builds from the standard OTEL_* variables (endpoint,
 * protocol, headers, timeouts, service name, resource attributes). Spans
 * queue and go out in batches from one thread, sized and timed by the
 * standard OTEL_BSP_* variables, as the SDK's batch processor would.
 */
public final class OtlpSpanSink implements SpanSink {
    private static final Logger LOG = Logger.getLogger(OtlpSpanSink.class.getName());
    /**
     * Quiet below WARNING: on a bad setting the SDK logs its own INFO line before the error
     * bpfwatch reports in one line. Held here so the level is not lost with a collected logger.
     */
    private static final Logger SDK_AUTOCONFIGURE = Logger.getLogger("io.opentelemetry.sdk.autoconfigure");
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long FAILURE_LOG_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final SpanExporter exporter;
    private final Resource resource;
    private final Map<String, Resource> byService = new ConcurrentHashMap<>();
    private final BlockingQueue<KernelSpan> queue;
    private final int maxBatch;
    private final long delayNanos;
    private final long timeoutNanos;
    private final LongAdder failed = new LongAdder();
    private final Thread sender;
    private volatile boolean closing;
    private long lastFailureLog;

    private OtlpSpanSink(SpanExporter exporter, Resource resource, ConfigProperties config) {
        this.exporter = exporter;
        this.resource = resource;
        int queueSize = Math.max(1, config.getInt("otel.bsp.max.queue.size", 2048));
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.maxBatch = Math.max(1, Math.min(queueSize, config.getInt("otel.bsp.max.export.batch.size", 512)));
        this.delayNanos = config.getDuration("otel.bsp.schedule.delay", Duration.ofSeconds(5)).toNanos();
        this.timeoutNanos = config.getDuration("otel.bsp.export.timeout", Duration.ofSeconds(30)).toNanos();
        this.sender = new Thread(this::run, "otlp-spans");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /**
     * Builds the exporter from the environment. Only span exporters are set
     * up: the SDK's metric and log exporters stay off whatever the
     * environment says, since bpfwatch exports neither over OTLP.
     *
     * @return a sink that drops every span, with one warning, when the
     *         environment turns trace export off (OTEL_TRACES_EXPORTER=none,
     *         OTEL_SDK_DISABLED=true)
     */
    public static SpanSink create() {
        List<SpanExporter> exporters = new ArrayList<>();
        Resource[] resource = {Resource.getDefault()};
        ConfigProperties[] config = {null};
        SDK_AUTOCONFIGURE.setLevel(java.util.logging.Level.WARNING);
        AutoConfiguredOpenTelemetrySdk sdk;
        try {
            sdk = configure(exporters, resource, config);
        } catch (RuntimeException e) {
            // A bad OTEL_* value: one line that says where to look, not the SDK's stack.
            throw new IllegalArgumentException("tracing: OpenTelemetry settings (OTEL_* variables): "
                    + rootMessage(e) + " (bpfwatch exports spans over OTLP http/protobuf)", e);
        }
        sdk.getOpenTelemetrySdk().shutdown(); // its batch processor idles on the no-op exporter; stop it
        if (exporters.isEmpty()) {
            LOG.warning("tracing: OpenTelemetry trace export is off (OTEL_TRACES_EXPORTER=none or "
                    + "OTEL_SDK_DISABLED=true): spans are dropped");
            return new DroppingSink();
        }
        SpanExporter exporter = exporters.size() == 1 ? exporters.get(0) : SpanExporter.composite(exporters);
        LOG.info("tracing: spans go to " + describe(config[0]));
        return new OtlpSpanSink(exporter, resource[0], config[0]);
    }

    private static AutoConfiguredOpenTelemetrySdk configure(List<SpanExporter> exporters, Resource[] resource,
                                                            ConfigProperties[] config) {
        return AutoConfiguredOpenTelemetrySdk.builder()
                // Spans go to OTLP over HTTP unless told otherwise, as in ebpf_exporter (port 4318);
                // the JDK's HTTP client sends, so gRPC is not on offer.
                .addPropertiesSupplier(() -> Map.of("otel.exporter.otlp.protocol", "http/protobuf"))
                .addPropertiesCustomizer(c -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
                .addResourceCustomizer((r, c) -> {
                    String service = r.getAttribute(SERVICE_NAME);
                    Resource out = service == null || service.startsWith("unknown_service")
                            ? r.merge(Resource.create(Attributes.of(SERVICE_NAME, "bpfwatch"))) : r;
                    resource[0] = out;
                    return out;
                })
                .addSpanExporterCustomizer((e, c) -> {
                    exporters.add(e);
                    config[0] = c;
                    // The SDK's own tracer provider gets nothing: bpfwatch hands the exporter finished spans.
                    return NoopExporter.INSTANCE;
                })
                .disableShutdownHook()
                .build();
    }

    /** The SDK wraps what went wrong in "Unexpected configuration error": say what it was. */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String root = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t == e ? root : e.getMessage() + ": " + root;
    }

    /** Where spans go, in one short line (the exporter's own description runs to a dozen settings). */
    private static String describe(ConfigProperties c) {
        String protocol = c.getString("otel.exporter.otlp.traces.protocol",
                c.getString("otel.exporter.otlp.protocol", "http/protobuf"));
        String endpoint = c.getString("otel.exporter.otlp.traces.endpoint");
        if (endpoint == null) {
            String base = c.getString("otel.exporter.otlp.endpoint",
                    protocol.equals("grpc") ? "http://localhost:4317" : "http://localhost:4318");
            endpoint = protocol.equals("grpc") ? base : base.replaceAll("/$", "") + "/v1/traces";
        }
        return c.getList("otel.traces.exporter", List.of("otlp")) + " " + protocol + " " + endpoint;
    }

    @Override
    public boolean send(KernelSpan span) {
        return !closing && queue.offer(span);
    }

    @Override
    public long failed() {
        return failed.sum();
    }

    private Resource resourceOf(KernelSpan span) {
        if (span.service() == null) {
            return resource;
        }
        return byService.computeIfAbsent(span.service(),
                s -> resource.merge(Resource.create(Attributes.of(SERVICE_NAME, s))));
    }

    private void run() {
        List<SpanData> batch = new ArrayList<>(maxBatch);
        List<KernelSpan> drained = new ArrayList<>(maxBatch);
        while (true) {
            long deadline = System.nanoTime() + delayNanos;
            while (batch.size() < maxBatch) {
                if (closing) {
                    queue.drainTo(drained, maxBatch - batch.size());
                    drained.forEach(s -> batch.add(new ExportedSpan(s, resourceOf(s))));
                    drained.clear();
                    break;
                }
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                KernelSpan s;
                try {
                    s = queue.poll(Math.min(wait, SLICE_NANOS), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    continue; // close() does not interrupt; nothing else may stop the sender
                }
                if (s != null) {
                    batch.add(new ExportedSpan(s, resourceOf(s)));
                }
            }
            if (!batch.isEmpty()) {
                export(batch);
                batch.clear();
            }
            if (closing && queue.isEmpty()) {
                return;
            }
        }
    }

    private void export(Collection<SpanData> batch) {
        CompletableResultCode result;
        try {
            result = exporter.export(List.copyOf(batch)).join(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            result = CompletableResultCode.ofFailure();
        }
        if (!result.isSuccess()) {
            failed.add(batch.size());
            long now = System.nanoTime();
            if (lastFailureLog == 0 || now - lastFailureLog > FAILURE_LOG_NANOS) {
                lastFailureLog = now;
                LOG.warning("tracing: " + batch.size() + " spans not exported (the collector refused them or did "
                        + "not answer)");
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            sender.join(timeoutNanos / 1_000_000 + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exporter.shutdown().join(5, TimeUnit.SECONDS);
    }

    /** What the SDK's own processor is given: bpfwatch never starts spans through the SDK. */
    private static final class NoopExporter implements SpanExporter {
        static final NoopExporter INSTANCE = new NoopExporter();

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** Trace export turned off in the environment. */
    private static final class DroppingSink implements SpanSink {
        @Override
        public boolean send(KernelSpan span) {
            return false;
        }

        @Override
        public long failed() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
