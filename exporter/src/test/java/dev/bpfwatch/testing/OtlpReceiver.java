package dev.bpfwatch.testing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1: takes POST /v1/traces in
 * protobuf, as a collector would, and keeps every span it decoded.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One received span, flattened: ids in hex, attributes as strings, with its resource's service.name. */
    public record Received(String service, String name, String traceId, String spanId, String parentSpanId,
                           long startNanos, long endNanos, Map<String, String> attributes, String scope) {
    }

    private final HttpServer server;
    private final List<Received> spans = new ArrayList<>();
    private final List<String> contentTypes = new ArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                if (!exchange.getRequestMethod().equals("POST")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                synchronized (this) {
                    contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                    for (ResourceSpans rs : request.getResourceSpansList()) {
                        String service = attributes(rs.getResource()).get("service.name");
                        for (ScopeSpans ss : rs.getScopeSpansList()) {
                            for (Span s : ss.getSpansList()) {
                                spans.add(new Received(service, s.getName(), hex(s.getTraceId().toByteArray()),
                                        hex(s.getSpanId().toByteArray()), hex(s.getParentSpanId().toByteArray()),
                                        s.getStartTimeUnixNano(), s.getEndTimeUnixNano(),
                                        attributes(s.getAttributesList()), ss.getScope().getName()));
                            }
                        }
                    }
                }
                byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        server.start();
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static Map<String, String> attributes(Resource r) {
        return attributes(r.getAttributesList());
    }

    private static Map<String, String> attributes(List<KeyValue> kvs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            AnyValue v = kv.getValue();
            out.put(kv.getKey(), v.hasStringValue() ? v.getStringValue() : v.toString().trim());
        }
        return out;
    }

    /** The traces endpoint, for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
    public String tracesEndpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    public synchronized List<Received> spans() {
        return List.copyOf(spans);
    }

    public synchronized List<String> contentTypes() {
        return List.copyOf(contentTypes);
    }

    /** Waits (up to 10 s) until {@code count} received spans match, and returns those that match. */
    public List<Received> await(Predicate<Received> which, int count) throws InterruptedException {
        List<Received> seen = List.of();
        for (int i = 0; i < 100; i++) {
            seen = spans().stream().filter(which).toList();
            if (seen.size() >= count) {
                return seen;
            }
            Thread.sleep(100);
        }
        return seen;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
