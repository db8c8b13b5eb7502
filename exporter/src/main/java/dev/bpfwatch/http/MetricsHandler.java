package dev.bpfwatch.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.bpfwatch.metrics.MapFamily;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Predicate;
import io.prometheus.client.SampleNameFilter;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * The telemetry path: what simpleclient's HTTPMetricHandler serves (text
 * 0.0.4, or OpenMetrics when the Accept header asks; gzip when
 * Accept-Encoding allows; {@code name[]} filters), streamed instead of built
 * in memory. The response goes out as it is written, so its size never sits
 * in the heap: simpleclient's writers print every ordinary family and every
 * family header, and a {@link MapFamily} writes its sample lines itself,
 * straight from the map as read. Uncompressed, with a large map, the length
 * is counted first and sent ({@link SizedBody}); otherwise the body is chunked.
 *
 * <p>The registry is collected before the status line is sent (a failed
 * collection is still a 500), and only then written: scrapes that share one
 * read (the agent's collectors) share it only while it is read, never while
 * a slow client takes its body.
 */
final class MetricsHandler implements HttpHandler {
    /**
     * Per scrape in flight: small, since fifty scrapers hold fifty of each;
     * a MapFamily's own 64 KiB writes pass through it uncopied.
     */
    private static final int BUFFER = 8 * 1024;

    /**
     * Scrapes collected and written at once; more wait their turn. Each one in flight holds its
     * read, buffers and garbage: fifty scrapers in a loop on the default config grew the heap,
     * and the resident memory with it, by 35 MB. A Prometheus server scrapes once per interval,
     * so this never makes one wait behind another's long scrape (a 1M-series one included).
     */
    static final int CONCURRENT_SCRAPES = 4;
    /** A scrape that cannot start this long is answered 503 (Prometheus' own timeout is 10 s by default). */
    private static final long WAIT_SECONDS = 30;

    private final CollectorRegistry registry;
    private final Semaphore inFlight = new Semaphore(CONCURRENT_SCRAPES, true);

    MetricsHandler(CollectorRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                if (!inFlight.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            try {
                serve(exchange);
            } finally {
                inFlight.release();
            }
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        String contentType = TextFormat.chooseContentType(exchange.getRequestHeaders().getFirst("Accept"));
        Predicate<String> filter = SampleNameFilter.restrictToNamesEqualTo(null,
                names(exchange.getRequestURI().getRawQuery()));
        List<Collector.MetricFamilySamples> families = Collections.list(filter == null
                ? registry.metricFamilySamples() : registry.filteredMetricFamilySamples(filter));
        List<MapFamily> held = new ArrayList<>();
        for (Collector.MetricFamilySamples f : families) {
            if (f instanceof MapFamily m) {
                held.add(m);
            }
        }
        try {
            respond(exchange, families, contentType);
        } finally {
            // Written, or never will be: the map may refill these arrays at its next read.
            held.forEach(MapFamily::release);
        }
    }

    private void respond(HttpExchange exchange, List<Collector.MetricFamilySamples> families, String contentType)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean gzip = acceptsGzip(exchange);
        if (gzip) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        SizedBody sized = gzip ? null : SizedBody.of(families, contentType);
        if (sized != null) {
            exchange.sendResponseHeaders(200, sized.length());
            families.clear(); // the body holds what it still has to write, and lets each part go once written
            try (OutputStream out = exchange.getResponseBody()) {
                sized.writeTo(out);
            }
            return;
        }
        exchange.sendResponseHeaders(200, 0);
        OutputStream body = gzip ? new GZIPOutputStream(exchange.getResponseBody(), BUFFER)
                : exchange.getResponseBody();
        try (OutputStream out = new BufferedOutputStream(body, BUFFER)) {
            Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            try {
                TextFormat.writeFormat(contentType, writer, new Streaming(families, writer, out,
                        contentType.startsWith(TextFormat.CONTENT_TYPE_OPENMETRICS_100)));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            writer.flush();
        }
    }

    /**
     * Hands the families to simpleclient's writer one by one; for a
     * {@link MapFamily} it hands over the header only, and writes the sample
     * lines itself when the writer asks for the next family, which is right
     * after that header.
     */
    private static final class Streaming implements Enumeration<Collector.MetricFamilySamples> {
        private final List<Collector.MetricFamilySamples> families;
        private final Writer writer;
        private final OutputStream out;
        private final boolean openMetrics;
        private int next;
        private MapFamily pending;

        Streaming(List<Collector.MetricFamilySamples> families, Writer writer, OutputStream out,
                  boolean openMetrics) {
            this.families = families;
            this.writer = writer;
            this.out = out;
            this.openMetrics = openMetrics;
        }

        @Override
        public boolean hasMoreElements() {
            if (pending != null) {
                try {
                    writer.flush();
                    pending.writeSamples(out, openMetrics);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                pending = null;
            }
            return next < families.size();
        }

        @Override
        public Collector.MetricFamilySamples nextElement() {
            Collector.MetricFamilySamples f = families.get(next);
            families.set(next++, null); // written: let the read go as soon as every sharer is done
            if (f instanceof MapFamily m) {
                pending = m;
                return m.header();
            }
            return f;
        }
    }

    /** The {@code name[]} query parameters, as simpleclient's handler reads them. */
    private static Set<String> names(String query) {
        Set<String> names = new LinkedHashSet<>();
        if (query == null) {
            return names;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq != -1 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals("name[]")) {
                names.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return names;
    }

    private static boolean acceptsGzip(HttpExchange exchange) {
        List<String> headers = exchange.getRequestHeaders().get("Accept-Encoding");
        if (headers == null) {
            return false;
        }
        for (String header : headers) {
            for (String encoding : header.split(",")) {
                if (encoding.trim().equalsIgnoreCase("gzip")) {
                    return true;
                }
            }
        }
        return false;
    }
}
