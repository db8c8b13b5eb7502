package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Scrape;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scrape of a million series whose client reads slowly holds only its own
 * connection: /-/healthy answers and a second full scrape completes while
 * the first is still being written (the read is shared only while it runs,
 * never while a client takes its body).
 */
class SlowScrapeTest {
    private static final int ENTRIES = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void slowMillionSeriesScrapeBlocksNeitherHealthNorAnotherScrape() throws Exception {
        ConfigDir.with(dir, "million", "million_map", """
                metrics:
                  counters:
                    - name: million_total
                      help: A million counters.
                      labels:
                        - name: key
                          size: 8
                          decoders:
                            - name: uint
                """);
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true).withMaxSeries(2 * ENTRIES), List.of())) {
            BpfMap map = ((ConfigModule) agent.modules().get(0)).object().map("million_total").orElseThrow();
            for (long i = 0; i < ENTRIES; i++) {
                map.update(u64(i * 0x9E3779B97F4A7C15L), u64(i), BpfMap.BPF_ANY);
            }
            try (Socket slow = new Socket()) {
                // A small window: the agent's writes block after a few kilobytes until this client reads.
                slow.setReceiveBufferSize(4096);
                slow.connect(new InetSocketAddress("127.0.0.1", agent.port()));
                OutputStream out = slow.getOutputStream();
                out.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // Read a byte at a time until the body is needed: the window stays small.
                InputStream in = slow.getInputStream();
                assertTrue(line(in).startsWith("HTTP/1.1 200"), "the slow scrape started");
                // Labels printed straight from the key: the length is counted before the body is
                // written (streamed still: nothing holds the whole body).
                long length = -1;
                for (String h = line(in); !h.isEmpty(); h = line(in)) {
                    if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(h.substring("content-length:".length()).trim());
                    }
                }
                assertTrue(length > 0, "sent with a Content-Length");

                assertEquals("OK\n", Scrape.get(agent.port(), "/-/healthy"), "health answers meanwhile");
                String second = Scrape.get(agent.port(), "/metrics");
                assertEquals(ENTRIES, countSeries(second), "a second scrape completes meanwhile, whole");
                assertEquals(2, agent.modules().stream().map(m -> (ConfigModule) m).findFirst().orElseThrow()
                        .collector().collections(), "each scrape read the map once: the first no longer held it");

                byte[] body = in.readAllBytes(); // Connection: close
                assertEquals(length, body.length, "the body is as long as announced");
                assertEquals(ENTRIES, countSeries(new String(body, StandardCharsets.UTF_8)),
                        "the slow client got every series in the end");
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed mid-line");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static long countSeries(String exposition) {
        return exposition.lines().filter(l -> l.startsWith("bpfwatch_million_total{")).count();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }
}
