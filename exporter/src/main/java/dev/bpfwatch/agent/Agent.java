package dev.bpfwatch.agent;

import dev.bpfwatch.btf.DropReasons;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.metrics.DropReasonCollector;
import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.probe.FeatureReport;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The running exporter: bundled programs loaded and attached, their maps
 * read on every scrape, served over HTTP. Closing it stops the server and
 * takes every program out of the kernel.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());
    static final String KFREE_SKB = "kfree_skb_drops";

    private final CollectorRegistry registry;
    private final BundledProgram kfreeSkb;
    private final HTTPServer server;

    private Agent(CollectorRegistry registry, BundledProgram kfreeSkb, HTTPServer server) {
        this.registry = registry;
        this.kfreeSkb = kfreeSkb;
        this.server = server;
    }

    public static Agent start(InetSocketAddress listen, String namespace) {
        FeatureReport features = FeatureProbe.report();
        LOG.info(() -> "features: " + features.describe().stripTrailing());
        DropReasons reasons;
        try (KernelBtf btf = KernelBtf.load()) {
            reasons = DropReasons.fromKernel(btf);
        }
        BundledProgram kfreeSkb = BundledProgram.loadAndAttach(KFREE_SKB);
        try {
            BpfMap drops = kfreeSkb.object().map(KFREE_SKB).orElseThrow();
            CollectorRegistry registry = new CollectorRegistry(true);
            registry.register(new DropReasonCollector(namespace, () -> countsByReason(drops), reasons));
            HTTPServer server = new HTTPServer.Builder()
                    .withInetSocketAddress(listen)
                    .withRegistry(registry)
                    .withDaemonThreads(true)
                    .build();
            return new Agent(registry, kfreeSkb, server);
        } catch (IOException e) {
            kfreeSkb.close();
            throw new UncheckedIOException("listen on " + listen + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            kfreeSkb.close();
            throw e;
        }
    }

    /** reason number -> drops summed over CPUs */
    static Map<Long, Long> countsByReason(BpfMap drops) {
        Map<Long, Long> counts = new HashMap<>();
        for (BpfMap.Entry e : drops.entries()) {
            long reason = ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder()).getInt() & 0xffffffffL;
            counts.merge(reason, drops.sumU64(e.value(), 0), Long::sum);
        }
        return counts;
    }

    public int port() {
        return server.getPort();
    }

    public CollectorRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            kfreeSkb.close();
        }
    }
}
