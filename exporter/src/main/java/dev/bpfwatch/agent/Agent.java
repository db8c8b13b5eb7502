package dev.bpfwatch.agent;

import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import dev.bpfwatch.http.WebSecurity;
import dev.bpfwatch.http.WebServer;
import dev.bpfwatch.libbpf.BpfStats;
import dev.bpfwatch.libbpf.CustomBtf;
import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.metrics.CounterFolds;
import dev.bpfwatch.metrics.ResetCarry;
import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.probe.FeatureReport;
import dev.bpfwatch.tracing.SpanExports;
import dev.bpfwatch.metrics.SeriesLimitedCollector;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.StandardExports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The running exporter: configs and code modules started, their collectors
 * read on every scrape, served over HTTP. Configs can be reloaded in place.
 * Closing it stops the server and takes every program out of the kernel
 * (pinned maps stay, on purpose).
 *
 * <p>Scrapes, self-metrics and / read the running modules under the read
 * side of one lock; a reload's swap and the shutdown close modules under
 * the write side. So a read in progress finishes on the set it began with,
 * and nothing reads a module that is closing or closed.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());

    private final AgentOptions options;
    private final List<ModuleFactory> codeModules;
    private final AgentContext context;
    private final Decoders decoders;
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final ReentrantReadWriteLock swapLock = new ReentrantReadWriteLock();
    private final LiveCollectors live = new LiveCollectors(swapLock.readLock());
    private final ReloadStatus reloads = new ReloadStatus();
    private volatile List<ConfigModule> configs = List.of();
    private volatile List<Module> others = List.of();
    private final Map<Module, List<SeriesLimitedCollector>> limited = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Map<String, String> failures = Map.of();
    private BpfStats stats;
    private WebServer server;
    private PinPathLock pinLock;
    /** The OTLP span sink, made only when a tracing config starts. */
    private final SpanExports spanExports = new SpanExports();
    /** Counters' series-limit state, kept across reloads so no counter goes down when configs are re-read. */
    private final CounterFolds counterFolds;
    private final ResetCarry selfCarry = new ResetCarry();

    private Agent(AgentOptions options, List<ModuleFactory> codeModules, AgentContext context, Decoders decoders) {
        this.options = options;
        this.codeModules = codeModules;
        this.context = context;
        this.decoders = decoders;
        this.counterFolds = context.counterFolds();
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
        // One parse of the kernel's BTF for every lookup the start makes (gates, modules, decoders).
        return KernelBtf.sharedDuring(() -> startSharingBtf(options, codeModules));
    }

    private static Agent startSharingBtf(AgentOptions options, List<ModuleFactory> codeModules) {
        // The feature probe (a program loaded and attached per attach type, then closed) runs on a
        // second CPU while the configs are read; the first config's gate waits for its report.
        Thread probing = FeatureProbe.startInBackground();
        List<ConfigModule.Prepared> prepared;
        Selection selection;
        Decoders decoders;
        WebSecurity security;
        try {
            // The web config and its TLS files first: a mistake there loads nothing of the configs.
            security = WebSecurity.load(options.webConfigFile());
            // Then the configs, checked against their objects: still nothing in the kernel.
            decoders = Decoders.standard(new HostDecoderContext());
            selection = Selection.of(options, codeModules);
            prepared = prepareAll(selection.configs(), decoders, options.btf());
        } catch (RuntimeException e) {
            FeatureProbe.await(probing); // its programs are out of the kernel before the error is told
            throw e;
        }
        PinPathLock pinLock = null;
        try {
            // Before anything reaches the kernel: a second agent on these pins would count every event twice.
            pinLock = options.pinPath() == null ? null : PinPathLock.take(options.pinPath());
            FeatureReport features = FeatureProbe.report();
            LOG.info(() -> "features: " + features.describe().stripTrailing());
            Agent agent = new Agent(options, codeModules, new AgentContext(options.namespace(), features, options.pinPath(), new CounterFolds(options.maxSeries())), decoders);
            agent.pinLock = pinLock;
            agent.restoreCounterState();
            return agent.startModules(selection, prepared, security);
        } catch (RuntimeException e) {
            prepared.forEach(ConfigModule.Prepared::close); // closing twice is harmless: loaded ones are closed already
            if (pinLock != null) {
                pinLock.close();
            }
            throw e;
        }
    }

    private Agent startModules(Selection selection, List<ConfigModule.Prepared> prepared, WebSecurity security) {
        Map<String, String> failures = new LinkedHashMap<>();
        List<ConfigModule> configs = new ArrayList<>();
        List<Module> others = new ArrayList<>();
        CodeModuleStarts codeStarts = null;
        try {
            stats = options.bpfStats() ? BpfStats.enable() : null;
            codeStarts = CodeModuleStarts.begin(selection.modules(), context, options.strict());
            for (int i = 0; i < prepared.size(); i++) {
                ConfigModule.Prepared p = prepared.get(i);
                try {
                    configs.add(loadAndAttach(p));
                } catch (RuntimeException e) {
                    if (options.strict()) {
                        prepared.subList(i + 1, prepared.size()).forEach(ConfigModule.Prepared::close);
                        throw e;
                    }
                    failures.put(p.pair().name(), e.getMessage());
                    LOG.severe("config " + p.pair().name() + " did not start: " + e.getMessage());
                }
            }
            CodeModuleStarts.Outcome code = codeStarts.await();
            codeStarts = null;
            others.addAll(code.started());
            failures.putAll(code.failures());
            if (code.strictFailure() != null) {
                throw code.strictFailure();
            }
            if (configs.isEmpty() && others.isEmpty()) {
                throw new AgentStartException("nothing started: " + String.join("; ", failures.values()));
            }
            install(configs, others, failures);
            if (options.debug()) {
                LOG.info("debug: raw map contents served at " + dev.bpfwatch.http.WebServer.MAPS);
            }
            registry.register(live);
            registry.register(new BuildInfo(options.namespace()));
            // process_* (CPU, memory, fds, start time): the names every exporter carries, no namespace.
            registry.register(new StandardExports());
            server = WebServer.start(options.listen(), options.telemetryPath(), registry,
                    () -> reading(() -> LandingPage.render(options.telemetryPath(), this.configs, this.others,
                            this.failures)),
                    this::reload, security,
                    options.debug() ? () -> reading(() -> MapsPage.render(this.configs)) : null,
                    options.inheritedListener());
            return this;
        } catch (IOException e) {
            closeAll(configs, others, stats);
            throw new UncheckedIOException("listen on " + options.listen() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (codeStarts != null) {
                others.addAll(codeStarts.await().started()); // still starting when a config failed
            }
            closeAll(configs, others, stats);
            throw e;
        }
    }

    private ConfigModule loadAndAttach(ConfigModule.Prepared p) {
        ConfigModule.Prepared loaded = ConfigModule.load(p, options.pinPath());
        try {
            loaded.pinMaps();
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        return ConfigModule.attach(loaded, context, decoders, options.strict(), counterFolds, spanExports);
    }

    /**
     * Takes back the counters' series-limit state and the agent's own
     * counters' bases the last run saved under the pin path, so no counter
     * series it exported goes down in this one.
     * A state that cannot be read costs that guarantee once, not the start.
     */
    private void restoreCounterState() {
        if (options.pinPath() == null) {
            return;
        }
        try {
            Optional<byte[]> saved = CounterStatePin.read(options.pinPath());
            if (saved.isEmpty()) {
                return;
            }
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(saved.get()));
            byte[] folds = in.readNBytes(in.readInt());
            byte[] carry = in.readNBytes(in.readInt());
            selfCarry.restore(carry);
            if (!counterFolds.restore(folds)) {
                LOG.warning("counter state under " + options.pinPath() + " is of another bpfwatch version: "
                        + "not restored, folded counters may go down once");
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("counter state under " + options.pinPath() + " not restored (" + e.getMessage()
                    + "): folded counters may go down once");
        }
    }

    /** Saves the counters' series-limit state and own counters' bases for the next run ({@link CounterStatePin}). */
    private void saveCounterState() {
        if (options.pinPath() == null) {
            return;
        }
        try {
            byte[] folds = counterFolds.save();
            byte[] carry = selfCarry.save();
            java.nio.ByteBuffer both = java.nio.ByteBuffer.allocate(8 + folds.length + carry.length);
            both.putInt(folds.length).put(folds).putInt(carry.length).put(carry);
            CounterStatePin.write(options.pinPath(), both.array());
        } catch (RuntimeException e) {
            LOG.warning("counter state not saved under " + options.pinPath() + ": " + e.getMessage());
        }
    }

    /** Reads the running modules; a reload or shutdown waits until it is done. */
    private <T> T reading(Supplier<T> read) {
        swapLock.readLock().lock();
        try {
            return read.get();
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Parses and binds every config; any mistake fails them all, before the kernel sees one. */
    private static List<ConfigModule.Prepared> prepareAll(List<ConfigFiles.Pair> pairs, Decoders decoders,
                                                          CustomBtf btf) {
        List<ConfigModule.Prepared> prepared = new ArrayList<>();
        try {
            for (ConfigFiles.Pair pair : pairs) {
                prepared.add(ConfigModule.prepare(pair, decoders, btf));
            }
            return prepared;
        } catch (RuntimeException e) {
            prepared.forEach(ConfigModule.Prepared::close);
            throw e;
        }
    }

    /**
     * A code module's collectors behind --metrics.max-series, made once per
     * module so its folded-series counts add up across reloads.
     */
    private List<SeriesLimitedCollector> limitedCollectors(Module m) {
        return limited.computeIfAbsent(m, k -> k.collectors().stream()
                .map(c -> new SeriesLimitedCollector(c, options.maxSeries())).toList());
    }

    /** Module name -> metric -> series folded so far, for bpfwatch_series_dropped_total. */
    private Map<String, Map<String, Long>> foldedByModule() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (Module m : this.others) {
            Map<String, Long> folded = new LinkedHashMap<>();
            limited.getOrDefault(m, List.of()).forEach(c -> folded.putAll(c.foldedSeries()));
            out.put(m.name(), folded);
        }
        return out;
    }

    /** Makes a set of modules the one scrapes see, in one swap. */
    private void install(List<ConfigModule> newConfigs, List<Module> newOthers, Map<String, String> newFailures) {
        this.configs = List.copyOf(newConfigs);
        this.others = List.copyOf(newOthers);
        this.failures = Map.copyOf(newFailures);
        List<Collector> collectors = new ArrayList<>();
        for (ConfigModule c : newConfigs) {
            collectors.addAll(c.collectors()); // a config's collector applies --metrics.max-series itself
        }
        for (Module m : newOthers) {
            collectors.addAll(limitedCollectors(m));
        }
        collectors.add(new SelfMetrics(options.namespace(), () -> this.configs, () -> this.others,
                this::foldedByModule, () -> this.failures, reloads, selfCarry));
        live.swap(collectors);
    }

    /**
     * Re-reads the configs (SIGHUP, POST /-/reload). A config that no longer
     * parses, binds or passes the verifier leaves the running set untouched,
     * its pins included; otherwise each new version is loaded beside the old
     * one (pinned maps shared, so counts go on), and only once every one has
     * loaded are pins changed (a map whose layout changed gets a new pin),
     * the old set detached and closed and the new attached, while no scrape
     * reads.
     *
     * @return null on success, else why the old configs stay
     */
    public synchronized String reload() {
        if (server == null) {
            return "agent is closed";
        }
        List<ConfigModule.Prepared> prepared;
        try {
            prepared = prepareAll(Selection.of(options, codeModules).configs(), decoders, options.btf());
        } catch (RuntimeException e) {
            return reloads.failed(e.getMessage());
        }
        List<ConfigModule.Prepared> loaded = new ArrayList<>();
        for (int i = 0; i < prepared.size(); i++) {
            try {
                loaded.add(ConfigModule.load(prepared.get(i), options.pinPath()));
            } catch (RuntimeException e) {
                loaded.forEach(ConfigModule.Prepared::close);
                prepared.subList(i + 1, prepared.size()).forEach(ConfigModule.Prepared::close);
                return reloads.failed(prepared.get(i).pair().name() + ": " + e.getMessage());
            }
        }
        for (ConfigModule.Prepared p : loaded) {
            try {
                p.pinMaps();
            } catch (RuntimeException e) {
                loaded.forEach(ConfigModule.Prepared::close);
                return reloads.failed(p.pair().name() + ": " + e.getMessage());
            }
        }
        Map<String, String> newFailures = new LinkedHashMap<>();
        failures.forEach((name, why) -> {
            if (codeModules.stream().anyMatch(f -> f.name().equals(name))) {
                newFailures.put(name, why); // code modules are not reloaded; config failures are recomputed
            }
        });
        List<ConfigModule> fresh = new ArrayList<>();
        swapLock.writeLock().lock();
        try {
            configs.forEach(Module::close);
            for (ConfigModule.Prepared p : loaded) {
                try {
                    fresh.add(ConfigModule.attach(p, context, decoders, options.strict(), counterFolds, spanExports));
                } catch (RuntimeException e) {
                    newFailures.put(p.pair().name(), e.getMessage());
                    LOG.severe("config " + p.pair().name() + " did not attach after reload: " + e.getMessage());
                }
            }
            install(fresh, others, newFailures);
        } finally {
            swapLock.writeLock().unlock();
        }
        LOG.info(() -> "reloaded: " + fresh.stream().map(Module::name).toList());
        saveCounterState();
        reloads.succeeded();
        return null;
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

    /** The web server's URL without path, e.g. https://127.0.0.1:9435. */
    public String url() {
        return server.url();
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
        return failures;
    }

    /**
     * Stops the server, waits for scrapes and pages in progress, then takes
     * every program out of the kernel and frees the pin path for the next run.
     */
    @Override
    public synchronized void close() {
        try {
            if (server != null) {
                server.close();
                server = null;
                saveCounterState(); // no scrape runs any more: the state is final
            }
        } finally {
            swapLock.writeLock().lock();
            try {
                closeAll(configs, others, stats);
                stats = null;
                install(List.of(), List.of(), Map.of());
                spanExports.close(); // after the configs: their last spans are still sent
            } finally {
                swapLock.writeLock().unlock();
                if (pinLock != null) {
                    pinLock.close();
                    pinLock = null;
                }
            }
        }
    }
}
