package dev.bpfwatch.http;

import dev.bpfwatch.metrics.MapFamily;
import io.prometheus.client.Collector;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * An uncompressed exposition whose length is known before its first byte is
 * sent, so the response carries a Content-Length. The JDK server cuts a
 * response of unknown length into 4 KiB chunks, one socket write each: at
 * 100k series that was 1,500 writes a scrape, each running the loopback
 * receive path and waking the client, and they cost the agent as much time as
 * reading the map. With a length, the server hands each 64 KiB write of a
 * {@link MapFamily} to the socket whole.
 *
 * <p>What simpleclient's writer prints (ordinary families, every family
 * header) is rendered first and held, up to {@link #MAX_HELD} bytes; each
 * MapFamily counts its sample lines without writing them. A response with
 * more ordinary text than that, or a MapFamily that cannot count its lines
 * cheaply, is not sized: the handler streams it chunked, as before.
 */
final class SizedBody {
    /** Ordinary families' text held per scrape in flight: small next to a map's lines. */
    static final int MAX_HELD = 1 << 20;

    /** Rendered text (byte[]) and MapFamily sample lines (MapFamily), in response order. */
    private final List<Object> parts;
    private final long length;
    private final boolean openMetrics;

    private SizedBody(List<Object> parts, long length, boolean openMetrics) {
        this.parts = parts;
        this.length = length;
        this.openMetrics = openMetrics;
    }

    /** The body of these families, sized; null where it is not worth it or cannot be (see the class comment). */
    static SizedBody of(List<Collector.MetricFamilySamples> families, String contentType) throws IOException {
        if (families.stream().noneMatch(f -> f instanceof MapFamily)) {
            return null; // nothing large: chunks cost nothing worth a second pass
        }
        boolean openMetrics = contentType.startsWith(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
        long length = 0;
        for (Collector.MetricFamilySamples f : families) {
            if (f instanceof MapFamily m) {
                long n = m.sampleBytes(openMetrics);
                if (n < 0) {
                    return null;
                }
                length += n;
            }
        }
        HeldText held = new HeldText();
        Writer writer = new OutputStreamWriter(held, StandardCharsets.UTF_8);
        List<Object> parts = new ArrayList<>();
        try {
            TextFormat.writeFormat(contentType, writer, new Recording(families, writer, held, parts));
            writer.flush();
        } catch (TooMuchText e) {
            return null;
        }
        parts.add(held.toByteArray());
        for (Object part : parts) {
            if (part instanceof byte[] text) {
                length += text.length;
            }
        }
        return new SizedBody(parts, length, openMetrics);
    }

    long length() {
        return length;
    }

    /** Writes the body; each part is let go once written. */
    void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < parts.size(); i++) {
            Object part = parts.set(i, null);
            if (part instanceof MapFamily m) {
                m.writeSamples(out, openMetrics);
            } else {
                out.write((byte[]) part);
            }
        }
    }

    /** Hands simpleclient's writer each family; at a MapFamily, cuts the text so far and keeps the family's place. */
    private static final class Recording implements Enumeration<Collector.MetricFamilySamples> {
        private final List<Collector.MetricFamilySamples> families;
        private final Writer writer;
        private final HeldText held;
        private final List<Object> parts;
        private int next;
        private MapFamily pending;

        Recording(List<Collector.MetricFamilySamples> families, Writer writer, HeldText held, List<Object> parts) {
            this.families = families;
            this.writer = writer;
            this.held = held;
            this.parts = parts;
        }

        @Override
        public boolean hasMoreElements() {
            if (pending != null) {
                try {
                    writer.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                parts.add(held.toByteArray());
                held.reset();
                parts.add(pending);
                pending = null;
            }
            return next < families.size();
        }

        @Override
        public Collector.MetricFamilySamples nextElement() {
            Collector.MetricFamilySamples f = families.get(next++);
            if (f instanceof MapFamily m) {
                pending = m;
                return m.header();
            }
            return f;
        }
    }

    /** Text held in memory, refused past {@link #MAX_HELD} bytes in all. */
    private static final class HeldText extends ByteArrayOutputStream {
        private long total;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            count(len);
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            count(1);
            super.write(b);
        }

        private void count(int n) {
            total += n;
            if (total > MAX_HELD) {
                throw new TooMuchText();
            }
        }
    }

    private static final class TooMuchText extends RuntimeException {
        TooMuchText() {
            super(null, null, false, false);
        }
    }
}
