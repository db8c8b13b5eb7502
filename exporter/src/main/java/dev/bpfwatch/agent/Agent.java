package dev.bpfwatch.agent;

import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.probe.FeatureReport;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running exporter: modules started (programs loaded and attached),
 * their collectors read on every scrape, served over HTTP. Closing it stops
 * the server and takes every module's programs out of the kernel.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());

    private final CollectorRegistry registry;
    private final List<Module> modules;
    private final HTTPServer server;

    private Agent(CollectorRegistry registry, List<Module> modules, HTTPServer server) {
        this.registry = registry;
        this.modules = modules;
        this.server = server;
    }

    public static Agent start(InetSocketAddress listen, String namespace) {
        return start(listen, namespace, BundledModules.all());
    }

    /**
     * Starts every module it can; one that fails is logged and left out, the
     * others run. Only when none starts is that an error.
     */
    public static Agent start(InetSocketAddress listen, String namespace, List<ModuleFactory> factories) {
        FeatureReport features = FeatureProbe.report();
        LOG.info(() -> "features: " + features.describe().stripTrailing());
        AgentContext context = new AgentContext(namespace, features);
        List<Module> modules = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (ModuleFactory f : factories) {
            try {
                modules.add(f.start(context));
            } catch (RuntimeException e) {
                failures.add(f.name() + ": " + e.getMessage());
                LOG.log(Level.SEVERE, "module " + f.name() + " did not start: " + e.getMessage());
            }
        }
        if (modules.isEmpty() && !failures.isEmpty()) {
            throw new AgentStartException("no module started: " + String.join("; ", failures));
        }
        try {
            CollectorRegistry registry = new CollectorRegistry(true);
            for (Module m : modules) {
                for (Collector c : m.collectors()) {
                    registry.register(c);
                }
            }
            HTTPServer server = new HTTPServer.Builder()
                    .withInetSocketAddress(listen)
                    .withRegistry(registry)
                    .withDaemonThreads(true)
                    .build();
            return new Agent(registry, modules, server);
        } catch (IOException e) {
            modules.forEach(Module::close);
            throw new UncheckedIOException("listen on " + listen + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            modules.forEach(Module::close);
            throw e;
        }
    }

    public int port() {
        return server.getPort();
    }

    public CollectorRegistry registry() {
        return registry;
    }

    public List<String> moduleNames() {
        return modules.stream().map(Module::name).toList();
    }

    @Override
    public synchronized void close() {
        try {
            server.close();
        } finally {
            modules.forEach(Module::close);
            modules.clear();
        }
    }
}
