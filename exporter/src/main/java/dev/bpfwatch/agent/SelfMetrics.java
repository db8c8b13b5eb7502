package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.ProgramInfo;
import dev.bpfwatch.metrics.ConfigCollector;
import dev.bpfwatch.metrics.ResetCarry;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's account of itself: which configs run, each program's state and
 * cost, each map's fill (a full map silently drops updates), decoder errors,
 * scrape time per config.
 *
 * <p>With the namespace {@code ebpf_exporter} the families ebpf_exporter
 * also has come in its form (names and label sets), so its dashboards and
 * alerts work unchanged: programs are keyed by kernel id alone, run time is
 * {@code ebpf_program_run_time_seconds} without {@code _total}, lost perf
 * events are {@code dropped_perf_event_map_events_METRIC} without the
 * namespace. The families only bpfwatch has keep their form in both.
 */
final class SelfMetrics extends Collector implements Collector.Describable {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(SelfMetrics.class.getName());
    private final String ns;
    private final Supplier<List<ConfigModule>> configs;
    private final Supplier<List<Module>> codeModules;
    private final Supplier<Map<String, Map<String, Long>>> moduleFolds;
    private final Supplier<Map<String, String>> failures;
    private final ReloadStatus reloads;
    private final boolean peerForm;

    /** The namespace whose self-metrics take ebpf_exporter's form. */
    static final String PEER_NAMESPACE = "ebpf_exporter";
    private final ResetCarry carry;

    /** @param carry the agent's, kept across reloads: counters of replaced configs and programs go on from there */
    SelfMetrics(String namespace, Supplier<List<ConfigModule>> configs, Supplier<List<Module>> codeModules,
                Supplier<Map<String, Map<String, Long>>> moduleFolds, Supplier<Map<String, String>> failures,
                ReloadStatus reloads, ResetCarry carry) {
        this.carry = carry;
        this.moduleFolds = moduleFolds;
        this.ns = namespace;
        this.configs = configs;
        this.codeModules = codeModules;
        this.failures = failures;
        this.reloads = reloads;
        this.peerForm = PEER_NAMESPACE.equals(namespace);
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GaugeMetricFamily enabled = new GaugeMetricFamily(ns + "_enabled_configs", "Configs running (1 each).",
                List.of("name"));
        List<String> programLabels = peerForm ? List.of("id") : List.of("config", "program");
        GaugeMetricFamily info = new GaugeMetricFamily(ns + "_ebpf_program_info",
                "A program bpfwatch loaded, with its kernel id and tag.",
                peerForm ? List.of("config", "program", "tag", "id") : List.of("config", "program", "section", "id", "tag"));
        GaugeMetricFamily attached = new GaugeMetricFamily(ns + "_ebpf_program_attached",
                "1 if the program is attached to its hook, 0 if attaching failed.", programLabels);
        CounterMetricFamily runCount = new CounterMetricFamily(ns + "_ebpf_program_run_count",
                "Times the program ran (kernel BPF stats; 0 unless --bpf.stats or kernel.bpf_stats_enabled).",
                programLabels);
        String runTimeHelp = "Time spent running the program (kernel BPF stats).";
        // ebpf_exporter names this counter without _total; simpleclient writes every counter with
        // _total, so its name is kept by exposing it untyped (rate() reads it the same).
        SampleFamily runTime = peerForm
                ? SampleFamily.untyped(ns + "_ebpf_program_run_time_seconds", runTimeHelp, programLabels)
                : SampleFamily.counter(ns + "_ebpf_program_run_time_seconds", runTimeHelp, programLabels);
        GaugeMetricFamily entries = new GaugeMetricFamily(ns + "_ebpf_map_entries",
                "Entries in the map at the last scrape that read it; hash-type maps only (arrays cannot fill).", List.of("config", "map"));
        GaugeMetricFamily maxEntries = new GaugeMetricFamily(ns + "_ebpf_map_max_entries",
                "Capacity of the map; updates beyond it are silently lost.", List.of("config", "map"));
        CounterMetricFamily decoderErrors = new CounterMetricFamily(ns + "_decoder_errors",
                "Map entries skipped because a label could not be decoded.", List.of("config"));
        GaugeMetricFamily scrape = new GaugeMetricFamily(ns + "_config_scrape_duration_seconds",
                "Time the last scrape spent reading and decoding this config.", List.of("config"));
        GaugeMetricFamily failed = new GaugeMetricFamily(ns + "_config_errors",
                "1 for a config that failed to load or attach (see the log and / for why).", List.of("config"));
        failures.get().keySet().forEach(name -> failed.addMetric(List.of(name), 1));
        GaugeMetricFamily reloadOk = new GaugeMetricFamily(ns + "_config_last_reload_successful",
                "1 if the last config reload (SIGHUP, POST /-/reload) succeeded; after a failure the previous "
                        + "configs keep running.", reloads.lastSuccessful() ? 1 : 0);
        GaugeMetricFamily reloadTime = new GaugeMetricFamily(ns + "_config_last_reload_success_timestamp_seconds",
                "When configs were last (re)loaded successfully.", reloads.lastSuccessEpochSeconds());
        CounterMetricFamily folded = new CounterMetricFamily(ns + "_series_dropped",
                "Series folded into one labelled \"other\" by --metrics.max-series, summed over scrapes.",
                List.of("config", "metric"));
        CounterMetricFamily collections = new CounterMetricFamily(ns + "_config_collections",
                "Times the config's maps were read; scrapes arriving together share one read.", List.of("config"));
        String lostHelp = "Events of perf_event_array counters the kernel dropped because the per-CPU ring was full.";
        CounterMetricFamily lostEvents = new CounterMetricFamily(ns + "_perf_events_lost", lostHelp,
                List.of("config", "metric"));
        Map<String, Long> peerLost = new java.util.TreeMap<>();
        CounterMetricFamily readErrors = new CounterMetricFamily(ns + "_map_read_errors",
                "Metric reads of this config that failed (the metric is empty for that scrape; the log says why).",
                List.of("config"));
        GaugeMetricFamily readerUp = new GaugeMetricFamily(ns + "_perf_events_reader_up",
                "1 while the perf-event ring reader of the map runs; 0 once it stopped on an error (its counts "
                        + "no longer move; the log says why).", List.of("config", "map"));
        for (ConfigModule c : configs.get()) {
            String config = c.name();
            readErrors.addMetric(List.of(config), c.collector().readErrors());
            c.eventReaders().forEach(r -> readerUp.addMetric(List.of(config, r.mapName()), r.reading() ? 1 : 0));
            c.collector().foldedSeries().forEach((metric, n) -> folded.addMetric(List.of(config, metric), n));
            c.collector().lostEvents().forEach((metric, n) -> {
                if (peerForm) {
                    peerLost.merge(metric, n, Long::sum); // two configs' same-named metrics share one series
                } else {
                    lostEvents.addMetric(List.of(config, metric), n);
                }
            });
            collections.addMetric(List.of(config), c.collector().collections());
            enabled.addMetric(List.of(config), 1);
            ConfigCollector collector = c.collector();
            decoderErrors.addMetric(List.of(config), collector.decoderErrors());
            scrape.addMetric(List.of(config), collector.lastScrapeSeconds());
            c.programs().forEach((name, state) -> {
                try {
                    ProgramInfo p = state.program().info();
                    String id = Integer.toString(p.id());
                    List<String> program = peerForm ? List.of(id) : List.of(config, name);
                    attached.addMetric(program, state.attached() ? 1 : 0);
                    info.addMetric(peerForm ? List.of(config, name, p.tag(), id)
                            : List.of(config, name, state.program().section(), id, p.tag()), 1);
                    runCount.addMetric(program, p.runCount());
                    runTime.add(program, p.runTimeNs() / 1e9);
                } catch (LibbpfException | IllegalStateException e) {
                    // not loaded (autoload off): nothing the kernel can tell, not even an id
                    if (!peerForm) {
                        attached.addMetric(List.of(config, name), state.attached() ? 1 : 0);
                    }
                }
            });
            var seen = collector.lastEntries();
            for (BpfMap map : c.object().maps()) {
                if (map.name().contains(".")) {
                    continue; // .rodata/.bss: globals, not tables
                }
                maxEntries.addMetric(List.of(config, map.name()), map.maxEntries());
                // Arrays hold max_entries slots from creation and cannot fill: reporting them "full"
                // made the map-fill alert fire on every host.
                if (!map.type().array() && seen.containsKey(map.name())) {
                    entries.addMetric(List.of(config, map.name()), seen.get(map.name()));
                }
            }
        }
        // The built-in modules (listen drops, UDP filters) under their module name as "config".
        moduleFolds.get().forEach((module, byMetric) ->
                byMetric.forEach((metric, n) -> folded.addMetric(List.of(module, metric), n)));
        for (Module m : codeModules.get()) {
            try {
                for (ModuleProgram p : m.programReports()) {
                    String id = Integer.toString(p.info().id());
                    List<String> program = peerForm ? List.of(id) : List.of(m.name(), p.name());
                    attached.addMetric(program, p.attached() ? 1 : 0);
                    info.addMetric(peerForm ? List.of(m.name(), p.name(), p.info().tag(), id)
                            : List.of(m.name(), p.name(), p.section(), id, p.info().tag()), 1);
                    runCount.addMetric(program, p.info().runCount());
                    runTime.add(program, p.info().runTimeNs() / 1e9);
                }
                for (ModuleMap map : m.mapReports()) {
                    maxEntries.addMetric(List.of(m.name(), map.name()), map.maxEntries());
                    map.entries().ifPresent(n -> entries.addMetric(List.of(m.name(), map.name()), n));
                }
            } catch (RuntimeException e) {
                // A filter removed between listing and reading: the next scrape sees the new set.
                LOG.fine(() -> "self-metrics of " + m.name() + " skipped this scrape: " + e.getMessage());
            }
        }
        List<MetricFamilySamples> all = new ArrayList<>(List.of(enabled, failed, reloadOk, reloadTime, folded,
                collections, info, attached, runCount, runTime.samples(), entries, maxEntries, decoderErrors,
                readErrors, readerUp, scrape));
        if (peerForm) {
            // One family per metric, named as ebpf_exporter names it (no namespace, no labels).
            peerLost.forEach((metric, n) -> {
                SampleFamily f = SampleFamily.named("dropped_perf_event_map_events_" + metric, lostHelp, List.of());
                f.add(List.of(), n);
                all.add(f.samples());
            });
        } else {
            all.add(lostEvents);
        }
        return carry.apply(all);
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return List.of();
    }
}
