package dev.bpfwatch.agent;

import dev.bpfwatch.config.BoundConfig;
import dev.bpfwatch.config.BoundMetric;
import dev.bpfwatch.config.ConfigBinder;
import dev.bpfwatch.config.ConfigParser;
import dev.bpfwatch.config.ConfigSpec;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.CustomBtf;
import dev.bpfwatch.libbpf.KernelMapTypes;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.MapSpec;
import dev.bpfwatch.libbpf.PerfEventReader;
import dev.bpfwatch.libbpf.RingBufferReader;
import dev.bpfwatch.metrics.ConfigCollector;
import dev.bpfwatch.metrics.CounterFolds;
import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.tracing.ConfigSpans;
import dev.bpfwatch.tracing.SpanExports;
import io.prometheus.client.Collector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One config running: its object loaded, programs attached, collector
 * reading its maps. Start-up checks the YAML against the object before
 * anything reaches the kernel, and a failure half-way leaves nothing behind.
 */
public final class ConfigModule implements Module {
    private static final Logger LOG = Logger.getLogger(ConfigModule.class.getName());

    private final String name;
    private final BpfObject object;
    private final ConfigCollector collector;
    private final Map<String, ProgramState> programs;
    private final List<PerfEventReader> eventReaders;
    private final CgroupIdSync cgroupIds;
    /** Its tracing spans and their ring buffers' reader; null for a config without tracing. */
    private final ConfigSpans spans;
    private final RingBufferReader spanReader;

    /** Pages of ring per CPU for each perf_event_array counter: 256 KiB, room for bursts between polls. */
    private static final int EVENT_RING_PAGES = 64;

    private static final int EOPNOTSUPP = 95;

    /** What happened to each program at start: attached, or why not. */
    public record ProgramState(BpfProgram program, boolean attached, String error) {
    }

    private ConfigModule(String name, BpfObject object, ConfigCollector collector, Map<String, ProgramState> programs,
                         List<PerfEventReader> eventReaders, CgroupIdSync cgroupIds, ConfigSpans spans,
                         RingBufferReader spanReader) {
        this.spans = spans;
        this.spanReader = spanReader;
        this.name = name;
        this.object = object;
        this.collector = collector;
        this.programs = programs;
        this.eventReaders = eventReaders;
        this.cgroupIds = cgroupIds;
    }

    /** Parses and binds a config without loading anything: what `check` and start-up share. */
    static BoundConfig bind(ConfigFiles.Pair pair, BpfObject object, Decoders decoders) {
        ConfigSpec spec;
        try (InputStream in = Files.newInputStream(pair.yaml())) {
            spec = ConfigParser.parse(pair.name(), pair.yaml().toString(), in);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + pair.yaml() + ": " + e.getMessage(), e);
        }
        BoundConfig bound = new ConfigBinder(decoders).bind(spec, object);
        KernelAddresses.checkVariables(spec, object);
        return bound;
    }

    static BpfObject open(ConfigFiles.Pair pair) {
        return open(pair, null);
    }

    /** @param btf replaces the kernel's BTF for CO-RE relocations (--btf.path); null: the kernel's */
    static BpfObject open(ConfigFiles.Pair pair, CustomBtf btf) {
        try {
            return BpfObject.open(pair.object().getFileName().toString(), Files.readAllBytes(pair.object()), btf);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + pair.object() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A config opened and checked against its object; nothing in the kernel
     * yet. After {@link #load}, {@code pins} holds the pin changes the load
     * needs, made only by {@link #pinMaps()}.
     *
     * @param skipped programs this kernel cannot load, left out at load (name -> why)
     */
    public record Prepared(ConfigFiles.Pair pair, BpfObject object, BoundConfig bound, MapPins pins,
                           Map<String, String> skipped) implements AutoCloseable {
        Prepared(ConfigFiles.Pair pair, BpfObject object, BoundConfig bound) {
            this(pair, object, bound, null, new LinkedHashMap<>());
        }

        /**
         * Pins the maps this load created where the earlier pins were missing
         * or of another layout. Call once every config of a start or reload
         * has loaded, so a failed one leaves the running pins alone.
         */
        void pinMaps() {
            if (pins != null) {
                pins.pinNew(object);
            }
        }

        @Override
        public void close() {
            object.close();
        }
    }

    /** Opens the object and checks the YAML against it: bad input fails here, before any load. */
    public static Prepared prepare(ConfigFiles.Pair pair, Decoders decoders) {
        return prepare(pair, decoders, null);
    }

    public static Prepared prepare(ConfigFiles.Pair pair, Decoders decoders, CustomBtf btf) {
        BpfObject object = open(pair, btf);
        try {
            return new Prepared(pair, object, bind(pair, object, decoders));
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /**
     * Loads a prepared config through the verifier, reusing the maps an
     * earlier run pinned where their layout still fits. Nothing is attached
     * and no pin changes yet ({@link Prepared#pinMaps()}), so a reload can
     * load the new version while the old one still runs. On failure the
     * object is closed: nothing of it stays in the kernel.
     */
    public static Prepared load(Prepared prepared, Path pinRoot) {
        BpfObject object = prepared.object();
        MapPins pins = null;
        try {
            KernelAddresses.apply(prepared.bound().spec(), object);
            requireKernelMapTypes(object);
            pins = pinRoot == null ? null : MapPins.reuse(pinRoot, prepared.pair().name(), object);
            prepared.skipped().putAll(ProgramGate.skipUnloadable(object, FeatureProbe.report()));
            object.load();
            return new Prepared(prepared.pair(), object, prepared.bound(), pins, prepared.skipped());
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /**
     * A map of a type the kernel predates (cgrp_storage before 6.2) fails the
     * whole object at map creation with a bare EINVAL: name the map and the
     * type instead. It fails this config only; {@code check} says the same.
     */
    static void requireKernelMapTypes(BpfObject object) {
        for (MapSpec map : object.mapSpecs()) {
            KernelMapTypes.missing(map.type()).ifPresent(why -> {
                throw new KernelLacksException("map " + map.name() + ": " + why);
            });
        }
    }

    /**
     * Attaches a loaded config's programs and builds its collector.
     *
     * @param strict an attach failure fails the config (its object is
     *               closed); otherwise it is logged, shown in self-metrics,
     *               and the rest runs
     */
    public static ConfigModule attach(Prepared loaded, AgentContext context, Decoders decoders, boolean strict,
                                      CounterFolds counterFolds, SpanExports spanExports) {
        BpfObject object = loaded.object();
        String configName = loaded.pair().name();
        List<PerfEventReader> readers = new ArrayList<>();
        CgroupIdSync cgroupIds = null;
        RingBufferReader spanReader = null;
        try {
            // Before any program runs, so none counts a cgroup it should not.
            var cgroupSpec = loaded.bound().spec().cgroupIds();
            if (cgroupSpec != null) {
                cgroupIds = CgroupIdSync.start(configName, cgroupSpec, object.map(cgroupSpec.map()).orElseThrow());
            }
            Map<String, ProgramState> states = new LinkedHashMap<>();
            Map<String, BpfLink> iterators = new HashMap<>();
            List<String> notRunning = new ArrayList<>();
            for (BpfProgram p : object.programs()) {
                if ("socket".equals(p.section())) {
                    states.put(p.name(), new ProgramState(p, false, "socket filter: attached per socket"));
                    continue;
                }
                String skipped = loaded.skipped().get(p.name());
                if (skipped != null) {
                    if (strict) {
                        throw new LibbpfException("load " + p.name() + " (" + p.section() + ")", EOPNOTSUPP, skipped);
                    }
                    notRunning.add(p.name() + " (" + p.section() + "): not loaded: " + skipped);
                    states.put(p.name(), new ProgramState(p, false, skipped));
                    continue;
                }
                try {
                    if (p.section().startsWith("tracepoint/")) {
                        Bpffs.ensureTracefsMounted();
                    }
                    BpfLink link = p.isIterator() ? p.attachIterator() : p.attach();
                    if (p.isIterator()) {
                        iterators.put(p.name(), link);
                    }
                    states.put(p.name(), new ProgramState(p, true, null));
                } catch (LibbpfException e) {
                    if (strict) {
                        throw e;
                    }
                    notRunning.add(e.getMessage());
                    states.put(p.name(), new ProgramState(p, false, e.getMessage()));
                }
            }
            if (states.values().stream().anyMatch(s -> s.attached() && s.program().runsOnceAfterAttach())) {
                BpfProgram.firePostAttachMarks();
            }
            if (!notRunning.isEmpty()) {
                // One line per config, however many programs: a kprobe config on a kernel without
                // kprobes printed a line per program plus libbpf's own two each.
                String count = notRunning.size() == states.size()
                        ? "none of its " + states.size() + " programs runs (its maps are still served)"
                        : notRunning.size() + " of " + states.size() + " programs not running, the rest runs";
                LOG.warning("config " + configName + ": " + count + ": " + String.join("; ", notRunning));
            }
            ConfigCollector collector = new ConfigCollector(loaded.bound(), context.namespace(),
                    new LiveSampleSource(object, iterators), decoders, counterFolds);
            for (BoundMetric m : collector.perfEventMetrics()) {
                BpfMap events = object.map(m.source()).orElseThrow();
                readers.add(PerfEventReader.start(events, EVENT_RING_PAGES, e -> collector.onEvent(m, e),
                        n -> collector.onLost(m, n)));
            }
            ConfigSpans spans = null;
            if (!loaded.bound().spans().isEmpty()) {
                spans = new ConfigSpans(configName, context.namespace(), loaded.bound().spans(), decoders,
                        spanExports.sink());
                Map<BpfMap, java.util.function.Consumer<byte[]>> rings = new LinkedHashMap<>();
                spans.readers().forEach((ring, reader) -> rings.put(object.map(ring).orElseThrow(), reader));
                spanReader = RingBufferReader.start(configName, rings);
                spans.readBy(spanReader::reading);
            }
            return new ConfigModule(configName, object, collector, states, List.copyOf(readers), cgroupIds, spans,
                    spanReader);
        } catch (RuntimeException e) {
            if (spanReader != null) {
                spanReader.close();
            }
            readers.forEach(PerfEventReader::close);
            if (cgroupIds != null) {
                cgroupIds.close();
            }
            object.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Collector> collectors() {
        return spans == null ? List.of(collector) : List.of(collector, spans);
    }

    public ConfigCollector collector() {
        return collector;
    }

    /** The readers of this config's perf-event metrics. */
    public List<PerfEventReader> eventReaders() {
        return eventReaders;
    }

    public BpfObject object() {
        return object;
    }

    public Map<String, ProgramState> programs() {
        return programs;
    }

    @Override
    public void close() {
        eventReaders.forEach(PerfEventReader::close); // no callback may run once the object is gone
        if (spanReader != null) {
            spanReader.close();
        }
        if (cgroupIds != null) {
            cgroupIds.close();
        }
        object.close();
    }
}
