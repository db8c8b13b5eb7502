package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.metrics.ConfigCollector;
import dev.bpfwatch.metrics.MapData;
import dev.bpfwatch.metrics.MapFamily;
import dev.bpfwatch.metrics.ReadLease;
import dev.bpfwatch.metrics.SampleSource;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Scrape;
import io.prometheus.client.Collector.MetricFamilySamples;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scrape's map read goes back to its map for the next read only when every
 * scrape that shared the collection has written it: a slow sharer never
 * writes arrays the next read refills. And scrape after scrape of a map
 * that shrinks and changes, over the agent's own endpoint (where reads are
 * handed back and refilled), shows exactly the map as it is.
 */
class SharedReadRecyclingTest {
    @TempDir
    Path dir;

    @Test
    void theReadGoesBackOnlyWhenTheLastSharerHasWrittenIt() throws Exception {
        ConfigDir.with(dir, "recycle", "test_maps", ConfigDir.TEST_HASH_BY_KEY);
        Decoders decoders = Decoders.standard(new HostDecoderContext());
        try (Agent agent = start()) {
            BpfObject object = ((ConfigModule) agent.modules().get(0)).object();
            BpfMap hash = object.map("test_hash").orElseThrow();
            fill(hash, 0, 2_000);
            LiveSampleSource live = new LiveSampleSource(object, Map.of());
            CountDownLatch reading = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            AtomicInteger handedBack = new AtomicInteger();
            SampleSource gated = new SampleSource() {
                @Override
                public MapData readMap(String mapName) {
                    reading.countDown();
                    try {
                        assertTrue(proceed.await(30, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    MapData d = live.readMap(mapName);
                    return new MapData(d.packed(), d.perCpu(), d.cpus(), d.valueStride(), d.keysLeave(),
                            new ReadLease(handedBack::incrementAndGet));
                }

                @Override
                public byte[] runIterator(String programName) {
                    return live.runIterator(programName);
                }
            };
            ConfigCollector collector = new ConfigCollector(
                    ConfigModule.bind(ConfigFiles.find(dir, List.of("recycle")).get(0), object, decoders),
                    "bpfwatch", gated, decoders, 1_000_000);
            LiveCollectors collectors = new LiveCollectors(new ReentrantReadWriteLock().readLock());
            collectors.swap(List.of(collector));

            CompletableFuture<List<MetricFamilySamples>> first = CompletableFuture.supplyAsync(collectors::collect);
            assertTrue(reading.await(30, TimeUnit.SECONDS));
            CompletableFuture<List<MetricFamilySamples>> second = CompletableFuture.supplyAsync(collectors::collect);
            for (int i = 0; i < 3000 && collectors.waiting() == 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(1, collectors.waiting(), "the second scrape waits to share the first one's read");
            proceed.countDown();
            MapFamily a = mapFamily(first.get(30, TimeUnit.SECONDS));
            MapFamily b = mapFamily(second.get(30, TimeUnit.SECONDS));
            assertSame(a, b, "one read, shared");

            a.release();
            assertEquals(0, handedBack.get(), "the second sharer still writes it: the read stays");
            b.release();
            assertEquals(1, handedBack.get(), "the last sharer done: handed back");
            b.release();
            assertEquals(1, handedBack.get(), "handed back once only");

            MapFamily alone = mapFamily(collectors.collect());
            alone.release();
            assertEquals(2, handedBack.get(), "a scrape nobody shared hands its own read back");
            mapFamily(collector.collect()).release();
            assertEquals(2, handedBack.get(), "a read nobody held (collected outside the agent's sharing) stays");
        }
    }

    @Test
    void scrapeAfterScrapeOfAChangingMapShowsExactlyTheMapAsItIsNow() {
        ConfigDir.with(dir, "recycle", "test_maps", ConfigDir.TEST_HASH_BY_KEY);
        try (Agent agent = start()) {
            BpfMap hash = ((ConfigModule) agent.modules().get(0)).object().map("test_hash").orElseThrow();
            Map<Long, Long> now = fill(hash, 0, 5_000);
            assertEquals(now, served(Scrape.metrics(agent.port())));
            for (int round = 1; round <= 3; round++) {
                // Fewer keys than the read before (whose arrays this read refills), then new ones.
                for (long k = round - 1; k < 5_000; k += 2) {
                    if (now.remove(k) != null) {
                        assertTrue(hash.delete(u64(k)));
                    }
                }
                now.putAll(fill(hash, 100_000L * round, 100 * round));
                assertEquals(now, served(Scrape.metrics(agent.port())), "round " + round);
            }
        }
    }

    private Agent start() {
        return Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true), List.of());
    }

    private static MapFamily mapFamily(List<MetricFamilySamples> families) {
        return families.stream().filter(f -> f instanceof MapFamily).map(f -> (MapFamily) f).findFirst()
                .orElseThrow(() -> new AssertionError("no fast-path family in " + families));
    }

    /** Keys from..from+n with the value 3 x key. */
    private static Map<Long, Long> fill(BpfMap hash, long from, int n) {
        Map<Long, Long> written = new HashMap<>();
        for (long k = from; k < from + n; k++) {
            hash.update(u64(k), u64(3 * k), BpfMap.BPF_ANY);
            written.put(k, 3 * k);
        }
        return written;
    }

    private static Map<Long, Long> served(String exposition) {
        Map<Long, Long> out = new HashMap<>();
        exposition.lines().filter(l -> l.startsWith("bpfwatch_test_hash_total{")).forEach(l -> {
            long key = Long.parseLong(l.substring(l.indexOf('"') + 1, l.lastIndexOf('"')));
            long value = (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            assertEquals(null, out.put(key, value), "a series came twice: " + l);
        });
        return out;
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }
}
