package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import dev.bpfwatch.http.WebSecurity;
import dev.bpfwatch.http.WebServer;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Cpus;
import dev.bpfwatch.metrics.ConfigCollector;
import dev.bpfwatch.metrics.MapFamily;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Promtool;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exposition fast path (MapFamily, streamed by the agent's handler)
 * writes what simpleclient's own HTTP handler wrote from sample objects,
 * byte for byte, for real maps, in text 0.0.4, OpenMetrics and gzip: a
 * counter map, a per-CPU map split by CPU, and both again folded by the
 * series limit. Prometheus's linter accepts the result.
 */
class StreamedExpositionTest {
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String YAML = """
            metrics:
              counters:
                - name: test_hash
                  help: "Counters by key, with \\\\ and \\" in the help."
                  labels:
                    - name: key
                      size: 8
                      decoders:
                        - name: uint
              gauges:
                - name: test_percpu_hash
                  help: Per-CPU values by id.
                  labels:
                    - name: id
                      size: 4
                      decoders:
                        - name: hex
                    - name: cpu
            """;
    private static final int HASH_ENTRIES = 5000;
    private static final int PERCPU_ENTRIES = 1200;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void fastPathMatchesSimpleclientInEveryFormat() throws Exception {
        compareBothPaths(1_000_000);
    }

    @Test
    void fastPathFoldsAsTheSeriesLimitDoes() throws Exception {
        compareBothPaths(100);
    }

    /**
     * A large map whose labels print straight from the key is answered with a Content-Length
     * (counted before writing), not in the JDK server's 4 KiB chunks; the bytes stay those of
     * simpleclient. Gzip stays chunked: its length is not known before compressing.
     */
    @Test
    void aLargeUintMapIsAnsweredWithItsLength() throws Exception {
        ConfigDir.with(dir, "scale", "test_maps", ConfigDir.TEST_HASH_BY_KEY);
        Decoders decoders = Decoders.standard(new HostDecoderContext());
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true), List.of())) {
            BpfObject object = ((ConfigModule) agent.modules().get(0)).object();
            fill(object.map("test_hash").orElseThrow(), object.map("test_percpu_hash").orElseThrow());
            ConfigFiles.Pair pair = ConfigFiles.find(dir, List.of("scale")).get(0);
            LiveSampleSource source = new LiveSampleSource(object, Map.of());
            CollectorRegistry before = new CollectorRegistry();
            before.register(new ConfigCollector(ConfigModule.bind(pair, object, decoders), "bpfwatch", source,
                    decoders, 1_000_000, Integer.MAX_VALUE));
            CollectorRegistry after = new CollectorRegistry();
            after.register(new ConfigCollector(ConfigModule.bind(pair, object, decoders), "bpfwatch", source,
                    decoders, 1_000_000));
            HTTPServer reference = new HTTPServer.Builder().withInetAddress(java.net.InetAddress.getLoopbackAddress())
                    .withPort(0).withRegistry(before).build();
            try (WebServer sized = WebServer.start(new InetSocketAddress("127.0.0.1", 0), "/metrics", after,
                    () -> "", () -> null, WebSecurity.none())) {
                for (String accept : List.of("text/plain", OPENMETRICS)) {
                    byte[] want = body(reference.getPort(), accept, false);
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + sized.port() + "/metrics"))
                            .timeout(Duration.ofSeconds(60)).header("Accept", accept).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(200, r.statusCode());
                    assertEquals(String.valueOf(want.length), r.headers().firstValue("Content-Length").orElse("none"),
                            accept + ": sent with its length");
                    assertTrue(r.headers().firstValue("Transfer-Encoding").isEmpty(), accept + ": not chunked");
                    assertArrayEquals(want, r.body(), accept + ": sized body differs");
                    assertArrayEquals(body(reference.getPort(), accept, true), body(sized.port(), accept, true),
                            accept + ", gzip: differs");
                }
            } finally {
                reference.close();
            }
        }
    }

    private void compareBothPaths(int maxSeries) throws Exception {
        ConfigDir.with(dir, "scale", "test_maps", YAML);
        Decoders decoders = Decoders.standard(new HostDecoderContext());
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true), List.of())) {
            BpfObject object = ((ConfigModule) agent.modules().get(0)).object();
            fill(object.map("test_hash").orElseThrow(), object.map("test_percpu_hash").orElseThrow());
            ConfigFiles.Pair pair = ConfigFiles.find(dir, List.of("scale")).get(0);
            LiveSampleSource source = new LiveSampleSource(object, Map.of());
            ConfigCollector samples = new ConfigCollector(ConfigModule.bind(pair, object, decoders), "bpfwatch",
                    source, decoders, maxSeries, Integer.MAX_VALUE);
            ConfigCollector fast = new ConfigCollector(ConfigModule.bind(pair, object, decoders), "bpfwatch",
                    source, decoders, maxSeries);
            long mapFamilies = fast.collect().stream().filter(f -> f instanceof MapFamily).count();
            assertEquals(maxSeries > HASH_ENTRIES ? 2 : 0, mapFamilies,
                    "large maps take the fast path unless the series limit folds them");
            assertTrue(samples.collect().stream().noneMatch(f -> f instanceof MapFamily));

            CollectorRegistry before = new CollectorRegistry();
            before.register(samples);
            CollectorRegistry after = new CollectorRegistry();
            after.register(fast);
            HTTPServer reference = new HTTPServer.Builder().withInetAddress(java.net.InetAddress.getLoopbackAddress())
                    .withPort(0).withRegistry(before).build();
            try (WebServer streamed = WebServer.start(new InetSocketAddress("127.0.0.1", 0), "/metrics", after,
                    () -> "", () -> null, WebSecurity.none())) {
                for (String accept : List.of("text/plain", OPENMETRICS)) {
                    for (boolean gzip : List.of(false, true)) {
                        byte[] want = body(reference.getPort(), accept, gzip);
                        byte[] got = body(streamed.port(), accept, gzip);
                        assertArrayEquals(want, got, accept + (gzip ? ", gzip" : "") + ": streamed differs");
                        String text = new String(got, StandardCharsets.UTF_8);
                        assertEquals(maxSeries > HASH_ENTRIES ? HASH_ENTRIES : maxSeries,
                                text.lines().filter(l -> l.startsWith("bpfwatch_test_hash_total{")).count());
                        if (!accept.equals(OPENMETRICS)) {
                            assertEquals("", Promtool.checkMetrics(text), "promtool on " + accept);
                        } else {
                            assertTrue(text.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
                        }
                    }
                }
            } finally {
                reference.close();
            }
        }
    }

    /** Keys spread over the u64 range; values cover 0, whole numbers above 10^7 (E notation) and u64 > 2^63. */
    private static void fill(BpfMap hash, BpfMap percpu) {
        for (long i = 0; i < HASH_ENTRIES; i++) {
            long value = i % 7 == 0 ? i * 123_456_789L : i % 11 == 0 ? -i : i;
            hash.update(u64(i * 0x9E3779B97F4A7C15L), u64(value), BpfMap.BPF_ANY);
        }
        int cpus = Cpus.possible();
        int stride = percpu.valueStride();
        for (int i = 0; i < PERCPU_ENTRIES; i++) {
            ByteBuffer v = ByteBuffer.allocate(stride * cpus).order(ByteOrder.nativeOrder());
            for (int cpu = 0; cpu < cpus; cpu++) {
                v.putInt(cpu * stride, i * 31 + cpu);
            }
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(i).array();
            percpu.update(key, v.array(), BpfMap.BPF_ANY);
        }
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    /** The body as the scraper sees it after decoding, and the encoding checked. */
    private byte[] body(int port, String accept, boolean gzip) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(60)).header("Accept", accept);
        if (gzip) {
            b.header("Accept-Encoding", "gzip");
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(gzip, r.headers().firstValue("Content-Encoding").orElse("").equals("gzip"));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(
                accept.equals(OPENMETRICS) ? "application/openmetrics-text" : "text/plain; version=0.0.4"));
        if (!gzip) {
            return r.body();
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            byte[] plain = in.readAllBytes();
            assertFalse(plain.length == 0);
            return plain;
        }
    }
}
