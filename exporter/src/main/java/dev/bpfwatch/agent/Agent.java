package dev.bpfwatch.agent;

import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import dev.bpfwatch.http.WebSecurity;
import dev.bpfwatch.http.WebServer;
import dev.bpfwatch.libbpf.BpfStats;
import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.probe.FeatureReport;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The running exporter: configs and code modules started, their collectors
 * read on every scrape, served over HTTP. Closing it stops the server and
 * takes every program out of the kernel.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());

    private final CollectorRegistry registry;
    private final List<ConfigModule> configs;
    private final List<Module> others;
    private final Map<String, String> failures;
    private final BpfStats stats;
    private WebServer server;

    private Agent(CollectorRegistry registry, List<ConfigModule> configs, List<Module> others,
                  Map<String, String> failures, BpfStats stats) {
        this.registry = registry;
        this.configs = configs;
        this.others = others;
        this.failures = failures;
        this.stats = stats;
    }

    public static Agent start(AgentOptions options) {
        return start(options, BundledModules.all());
    }

    /**
     * Checks every config first (bad input fails before anything is loaded),
     * then loads each; a config the kernel refuses is logged, shown on / and
     * in metrics, and the others run — unless {@code strict}.
     */
    public static Agent start(AgentOptions options, List<ModuleFactory> codeModules) {
        // The web config and its TLS files first: a mistake there loads nothing.
        WebSecurity security = WebSecurity.load(options.webConfigFile());
        FeatureReport features = FeatureProbe.report();
        LOG.info(() -> "features: " + features.describe().stripTrailing());
        AgentContext context = new AgentContext(options.namespace(), features);
        Decoders decoders = Decoders.standard(new HostDecoderContext());

        Selection selection = Selection.of(options, codeModules);
        List<ConfigModule.Prepared> prepared = new ArrayList<>();
        try {
            for (ConfigFiles.Pair pair : selection.configs()) {
                prepared.add(ConfigModule.prepare(pair, decoders));
            }
        } catch (RuntimeException e) {
            prepared.forEach(ConfigModule.Prepared::close);
            throw e;
        }

        List<ConfigModule> configs = new ArrayList<>();
        List<Module> others = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        BpfStats stats = null;
        try {
            stats = options.bpfStats() ? BpfStats.enable() : null;
            for (int i = 0; i < prepared.size(); i++) {
                ConfigModule.Prepared p = prepared.get(i);
                try {
                    configs.add(ConfigModule.start(p, context, decoders, options.strict()));
                } catch (RuntimeException e) {
                    if (options.strict()) {
                        prepared.subList(i + 1, prepared.size()).forEach(ConfigModule.Prepared::close);
                        throw e;
                    }
                    failures.put(p.pair().name(), e.getMessage());
                    LOG.severe("config " + p.pair().name() + " did not start: " + e.getMessage());
                }
            }
            for (ModuleFactory f : selection.modules()) {
                try {
                    others.add(f.start(context));
                } catch (RuntimeException e) {
                    if (options.strict()) {
                        throw e;
                    }
                    failures.put(f.name(), e.getMessage());
                    LOG.severe("module " + f.name() + " did not start: " + e.getMessage());
                }
            }
            if (configs.isEmpty() && others.isEmpty()) {
                throw new AgentStartException("nothing started: " + String.join("; ", failures.values()));
            }
            CollectorRegistry registry = new CollectorRegistry(true);
            Agent agent = new Agent(registry, configs, others, failures, stats);
            for (Module m : agent.modules()) {
                for (Collector c : m.collectors()) {
                    registry.register(c);
                }
            }
            registry.register(new SelfMetrics(options.namespace(), () -> agent.configs, failures));
            agent.server = WebServer.start(options.listen(), options.telemetryPath(), registry,
                    () -> LandingPage.render(options.telemetryPath(), agent.configs, agent.others, failures), security);
            return agent;
        } catch (IOException e) {
            closeAll(configs, others, stats);
            throw new UncheckedIOException("listen on " + options.listen() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(configs, others, stats);
            throw e;
        }
    }

    private static void closeAll(List<ConfigModule> configs, List<Module> others, BpfStats stats) {
        configs.forEach(Module::close);
        others.forEach(Module::close);
        if (stats != null) {
            stats.close();
        }
    }

    /** Which configs and code modules the options ask for. */
    record Selection(List<ConfigFiles.Pair> configs, List<ModuleFactory> modules) {
        static Selection of(AgentOptions options, List<ModuleFactory> codeModules) {
            List<String> names = options.configNames();
            List<ModuleFactory> modules = codeModules.stream()
                    .filter(f -> names.isEmpty() ? options.configDir() == null : names.contains(f.name())).toList();
            List<String> configNames = names.stream()
                    .filter(n -> codeModules.stream().noneMatch(f -> f.name().equals(n))).toList();
            Path dir = options.configDir() != null ? options.configDir() : ConfigFiles.embeddedDir();
            if (!names.isEmpty() && configNames.isEmpty()) {
                return new Selection(List.of(), modules);
            }
            return new Selection(ConfigFiles.find(dir, configNames), modules);
        }
    }

    public int port() {
        return server.port();
    }

    public CollectorRegistry registry() {
        return registry;
    }

    public List<Module> modules() {
        List<Module> all = new ArrayList<>(configs);
        all.addAll(others);
        return all;
    }

    public List<String> moduleNames() {
        return modules().stream().map(Module::name).toList();
    }

    /** Configs that failed to start, with why. */
    public Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    @Override
    public synchronized void close() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            closeAll(configs, others, stats);
            configs.clear();
            others.clear();
        }
    }
}
