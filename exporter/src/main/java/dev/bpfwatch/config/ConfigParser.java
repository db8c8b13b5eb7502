package dev.bpfwatch.config;

import dev.bpfwatch.text.Suggest;
import dev.bpfwatch.decode.DecoderConfig;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.logging.Logger;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads ebpf_exporter's v2 config format as it is, plus bpfwatch's
 * extensions (gauges, map/value_field, label field, iterator/record, the
 * enum decoder). Checks shape and types only; what needs the object (map
 * sizes, BTF) is checked by {@link ConfigBinder}.
 */
public final class ConfigParser {
    private static final Logger LOG = Logger.getLogger(ConfigParser.class.getName());

    /**
     * A label or its padding wider than this is a typo: kernel map keys are far smaller, and a sum
     * of sizes near 2^31 would wrap.
     */
    static final int MAX_LABEL_BYTES = 65535;
    static final Set<String> TOP = Set.of("name", "metrics", "kaddrs", "cgroup_id_map", "tracing");
    static final Set<String> METRICS = Set.of("counters", "histograms", "gauges");
    static final Set<String> COUNTER = Set.of("name", "help", "labels", "perf_event_array", "flush_interval",
            "map", "value_field", "iterator", "record", "skip_zeros");
    static final Set<String> HISTOGRAM = Set.of("name", "help", "labels", "bucket_type", "bucket_multiplier",
            "bucket_min", "bucket_max", "bucket_keys", "map");
    static final Set<String> LABEL = Set.of("name", "size", "padding", "decoders", "field");
    static final Set<String> DECODER = Set.of("name", "static_map", "regexps", "allow_unknown", "enum", "strip_prefix",
            "if_missing");
    static final Set<String> TRACING = Set.of("spans");
    static final Set<String> SPAN = Set.of("name", "ringbuf", "service", "labels");
    static final Set<String> CGROUP_ID_MAP = Set.of("name", "type", "regexps");
    static final Set<String> BUCKET_TYPES = Set.of("exp2", "exp2zero", "linear", "fixed");

    private ConfigParser() {
    }

    public static ConfigSpec parse(String configName, String file, InputStream in) {
        Node root = YamlNode.compose(file, in);
        if (root == null) {
            throw new ConfigException(file, 0, "empty config");
        }
        Map<String, YamlNode> top = new YamlNode(file, root).mapping("config", TOP);
        // ebpf_exporter reads a top-level name and then replaces it by the file's: so does bpfwatch.
        YamlNode.get(top, "name").ifPresent(n -> {
            String given = n.string("name");
            if (!given.equals(configName)) {
                LOG.warning(file + ":" + n.line() + ": name '" + given + "' differs from the file's; the config is '"
                        + configName + "', named after its file, as in ebpf_exporter");
            }
        });
        List<SpanSpec> spans = YamlNode.get(top, "tracing").map(ConfigParser::tracing).orElse(List.of());
        List<MetricSpec> specs = new ArrayList<>();
        YamlNode metricsNode = YamlNode.get(top, "metrics").orElse(null);
        if (metricsNode == null && spans.isEmpty()) {
            throw new ConfigException(file, 1, "no 'metrics' section (and no 'tracing' spans)");
        }
        if (metricsNode != null) {
            Map<String, YamlNode> metrics = metricsNode.mapping("metrics", METRICS);
            YamlNode.get(metrics, "counters").ifPresent(n -> n.sequence("counters")
                    .forEach(c -> specs.add(plain(MetricKind.COUNTER, c))));
            YamlNode.get(metrics, "gauges").ifPresent(n -> n.sequence("gauges")
                    .forEach(c -> specs.add(plain(MetricKind.GAUGE, c))));
            YamlNode.get(metrics, "histograms").ifPresent(n -> n.sequence("histograms")
                    .forEach(h -> specs.add(histogram(h))));
            if (specs.isEmpty()) {
                throw metricsNode.error("no metrics: give at least one of counters, gauges, histograms");
            }
        }
        List<String> kaddrs = new ArrayList<>();
        YamlNode.get(top, "kaddrs").ifPresent(n -> n.sequence("kaddrs").forEach(k -> kaddrs.add(k.string("kaddr"))));
        checkUniqueNames(specs, file);
        CgroupIdMapSpec cgroupIds = YamlNode.get(top, "cgroup_id_map").map(ConfigParser::cgroupIdMap).orElse(null);
        return new ConfigSpec(configName, file, List.copyOf(specs), List.copyOf(kaddrs), cgroupIds, spans);
    }

    /**
     * ebpf_exporter's {@code tracing: spans:}: each span reads the records of
     * one ring buffer. Its labels become span attributes, so their names follow
     * OpenTelemetry's attribute keys (dots allowed), not Prometheus's.
     */
    private static List<SpanSpec> tracing(YamlNode node) {
        Map<String, YamlNode> t = node.mapping("tracing", TRACING);
        YamlNode list = YamlNode.get(t, "spans").orElseThrow(() -> node.error("'tracing' needs 'spans'"));
        List<SpanSpec> spans = new ArrayList<>();
        Set<String> ringbufs = new java.util.HashSet<>();
        for (YamlNode s : list.sequence("spans")) {
            Map<String, YamlNode> m = s.mapping("span", SPAN);
            YamlNode ringNode = YamlNode.get(m, "ringbuf")
                    .orElseThrow(() -> s.error("span needs 'ringbuf': the ring buffer map its records come from"));
            String ringbuf = ringNode.string("ringbuf");
            if (!ringbufs.add(ringbuf)) {
                throw ringNode.error("ring buffer '" + ringbuf + "' is read by two spans; give each span its own");
            }
            String name = optionalString(m, "name");
            String service = optionalString(m, "service");
            List<LabelSpec> labels = labels(m, SPAN_LABEL_NAME, "span attribute");
            if (labels.isEmpty()) {
                throw s.error("span '" + (name == null ? ringbuf : name) + "' needs labels (trace_id, span_id, ...)");
            }
            spans.add(new SpanSpec(name == null || name.isEmpty() ? ringbuf : name, ringbuf,
                    service == null || service.isEmpty() ? null : service, labels, s.line()));
        }
        if (spans.isEmpty()) {
            throw list.error("'spans' is empty: give at least one span");
        }
        return List.copyOf(spans);
    }

    private static CgroupIdMapSpec cgroupIdMap(YamlNode node) {
        Map<String, YamlNode> m = node.mapping("cgroup_id_map", CGROUP_ID_MAP);
        String map = YamlNode.get(m, "name").orElseThrow(() -> node.error("cgroup_id_map needs the name of its map"))
                .string("name");
        CgroupIdMapSpec.Type type = CgroupIdMapSpec.Type.HASH; // ebpf_exporter's default, from before cgrp_storage
        if (m.containsKey("type")) {
            String t = m.get("type").string("type");
            switch (t) {
                case "hash" -> type = CgroupIdMapSpec.Type.HASH;
                case "cgrp_storage" -> type = CgroupIdMapSpec.Type.CGRP_STORAGE;
                default -> throw m.get("type").error("cgroup_id_map type '" + t + "' unknown (hash, cgrp_storage)");
            }
        }
        YamlNode list = YamlNode.get(m, "regexps")
                .orElseThrow(() -> node.error("cgroup_id_map needs 'regexps': the cgroup paths to keep in the map"));
        List<Pattern> regexps = new ArrayList<>();
        for (YamlNode r : list.sequence("regexps")) {
            try {
                regexps.add(Pattern.compile(r.scalar("regexp")));
            } catch (PatternSyntaxException e) {
                throw r.error("cgroup_id_map regexp: " + e.getDescription() + " in '" + e.getPattern() + "'");
            }
        }
        return new CgroupIdMapSpec(map, type, List.copyOf(regexps), node.line());
    }

    private static MetricSpec plain(MetricKind kind, YamlNode node) {
        String what = kind.name().toLowerCase();
        Map<String, YamlNode> m = node.mapping(what, COUNTER);
        String name = metricName(m, node, what);
        PerfEvents perfEvents = perfEvents(kind, m, name);
        String iterator = optionalString(m, "iterator");
        String record = optionalString(m, "record");
        String valueField = optionalString(m, "value_field");
        if (iterator != null && (record == null || valueField == null)) {
            throw node.error(what + " '" + name + "': an iterator metric needs 'record' (its BTF struct) "
                    + "and 'value_field'");
        }
        if (record != null && iterator == null) {
            throw m.get("record").error("'record' only goes with 'iterator'");
        }
        if (perfEvents != null && (iterator != null || valueField != null || m.containsKey("map"))) {
            throw m.get("perf_event_array").error("counter '" + name + "': a perf_event_array counter counts "
                    + "events of the map named like it; 'map', 'value_field' and 'iterator' do not apply");
        }
        boolean skipZeros = m.containsKey("skip_zeros") && m.get("skip_zeros").bool("skip_zeros");
        return new MetricSpec(kind, name, help(m, name), optionalString(m, "map"), valueField, iterator, record,
                labels(m), null, skipZeros, perfEvents, node.line());
    }

    /** ebpf_exporter's {@code perf_event_array: true} with its {@code flush_interval}; null for map counters. */
    private static PerfEvents perfEvents(MetricKind kind, Map<String, YamlNode> m, String name) {
        boolean on = m.containsKey("perf_event_array") && m.get("perf_event_array").bool("perf_event_array");
        if (!on) {
            if (m.containsKey("flush_interval")) {
                throw m.get("flush_interval").error("'flush_interval' only goes with 'perf_event_array: true'");
            }
            return null;
        }
        if (kind != MetricKind.COUNTER) {
            throw m.get("perf_event_array").error("'" + name + "': perf_event_array makes counters only");
        }
        if (!m.containsKey("flush_interval")) {
            return new PerfEvents(PerfEvents.DEFAULT_FLUSH);
        }
        YamlNode n = m.get("flush_interval");
        try {
            java.time.Duration d = GoDuration.parse(n.string("flush_interval"));
            if (d.isZero()) {
                return new PerfEvents(PerfEvents.DEFAULT_FLUSH); // ebpf_exporter: 0 means the default
            }
            return new PerfEvents(d);
        } catch (IllegalArgumentException e) {
            throw n.error("flush_interval: " + e.getMessage());
        }
    }

    private static MetricSpec histogram(YamlNode node) {
        Map<String, YamlNode> m = node.mapping("histogram", HISTOGRAM);
        String name = metricName(m, node, "histogram");
        YamlNode typeNode = YamlNode.get(m, "bucket_type")
                .orElseThrow(() -> node.error("histogram '" + name + "' needs bucket_type (exp2, exp2zero, linear, fixed)"));
        String type = typeNode.string("bucket_type");
        if (!BUCKET_TYPES.contains(type)) {
            throw typeNode.error("bucket_type '" + type + "' unknown" + Suggest.didYouMean(type, BUCKET_TYPES)
                    + " (exp2, exp2zero, linear, fixed)");
        }
        double multiplier = YamlNode.get(m, "bucket_multiplier").map(n -> n.number("bucket_multiplier")).orElse(1.0);
        if (multiplier == 0) {
            multiplier = 1; // ebpf_exporter treats an unset (zero) multiplier as 1
        }
        List<Double> keys = new ArrayList<>();
        int min = 0;
        int max = 0;
        if (type.equals("fixed")) {
            YamlNode keysNode = YamlNode.get(m, "bucket_keys")
                    .orElseThrow(() -> node.error("fixed histogram '" + name + "' needs bucket_keys"));
            for (YamlNode k : keysNode.sequence("bucket_keys")) {
                keys.add(k.number("bucket key"));
            }
            if (keys.isEmpty()) {
                throw keysNode.error("bucket_keys must not be empty");
            }
            if (keys.size() > HistogramSpec.MAX_BUCKETS) {
                throw keysNode.error("histogram '" + name + "': " + keys.size() + " bucket_keys, more than "
                        + HistogramSpec.MAX_BUCKETS);
            }
            for (int i = 1; i < keys.size(); i++) {
                if (keys.get(i) <= keys.get(i - 1)) {
                    throw keysNode.error("bucket_keys must be increasing");
                }
            }
        } else {
            YamlNode maxNode = YamlNode.get(m, "bucket_max")
                    .orElseThrow(() -> node.error("histogram '" + name + "' needs bucket_max"));
            min = YamlNode.get(m, "bucket_min").map(n -> n.integer("bucket_min", 0, Integer.MAX_VALUE)).orElse(0);
            max = maxNode.integer("bucket_max", 0, Integer.MAX_VALUE);
            if (max <= min) {
                throw maxNode.error("bucket_max (" + max + ") must be above bucket_min (" + min + ")");
            }
            if ((type.equals("exp2") || type.equals("exp2zero")) && max > 1000) {
                throw maxNode.error("bucket range [" + min + ", " + max + "] out of bounds");
            }
            // Every bucket is a series per label set, read and built on every scrape: two billion
            // linear buckets ran `check` out of memory.
            if ((long) max - min + 1 > HistogramSpec.MAX_BUCKETS) {
                throw maxNode.error("histogram '" + name + "': bucket_min " + min + " to bucket_max " + max + " is "
                        + ((long) max - min + 1) + " buckets, more than " + HistogramSpec.MAX_BUCKETS);
            }
        }
        List<LabelSpec> labels = labels(m);
        if (labels.isEmpty()) {
            throw node.error("histogram '" + name + "' needs labels, the last one being the bucket");
        }
        return new MetricSpec(MetricKind.HISTOGRAM, name, help(m, name), optionalString(m, "map"), null, null, null,
                labels, new HistogramSpec(HistogramSpec.BucketType.parse(type), multiplier, min, max, keys),
                false, null, node.line());
    }

    private static final Pattern PROMETHEUS_LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** An OpenTelemetry attribute key as the peer's configs write them: cpu.orig, sk_err, ... */
    private static final Pattern SPAN_LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.\\-]*");

    private static List<LabelSpec> labels(Map<String, YamlNode> m) {
        return labels(m, PROMETHEUS_LABEL_NAME, "Prometheus label");
    }

    private static List<LabelSpec> labels(Map<String, YamlNode> m, Pattern valid, String what) {
        List<LabelSpec> out = new ArrayList<>();
        if (!m.containsKey("labels")) {
            return out;
        }
        for (YamlNode l : m.get("labels").sequence("labels")) {
            Map<String, YamlNode> lm = l.mapping("label", LABEL);
            String name = YamlNode.get(lm, "name").orElseThrow(() -> l.error("label needs a name")).string("label name");
            if (!valid.matcher(name).matches() || name.startsWith("__")) {
                throw lm.get("name").error("label name '" + name + "' is not a valid " + what + " name");
            }
            String field = optionalString(lm, "field");
            int size = YamlNode.get(lm, "size").map(n -> n.integer("size", 0, MAX_LABEL_BYTES)).orElse(0);
            if (field != null && lm.containsKey("size")) {
                throw l.error("label '" + name + "': give 'size' or 'field', not both");
            }
            boolean cpuSplit = name.equals("cpu") && field == null && size == 0;
            if (field == null && size <= 0 && !cpuSplit) {
                throw l.error("label '" + name + "' needs a positive 'size' (bytes) or a BTF 'field'");
            }
            int padding = YamlNode.get(lm, "padding").map(n -> n.integer("padding", 0, MAX_LABEL_BYTES)).orElse(0);
            List<DecoderConfig> decoders = new ArrayList<>();
            if (lm.containsKey("decoders")) {
                for (YamlNode d : lm.get("decoders").sequence("decoders")) {
                    decoders.add(decoder(d));
                }
            }
            out.add(new LabelSpec(name, size, padding, field, List.copyOf(decoders), l.line()));
        }
        return out;
    }

    private static DecoderConfig decoder(YamlNode d) {
        Map<String, YamlNode> dm = d.mapping("decoder", DECODER);
        String name = YamlNode.get(dm, "name").orElseThrow(() -> d.error("decoder needs a name")).string("decoder name");
        Map<String, String> staticMap = dm.containsKey("static_map") ? dm.get("static_map").stringMap("static_map") : null;
        List<String> regexps = null;
        if (dm.containsKey("regexps")) {
            regexps = new ArrayList<>();
            for (YamlNode r : dm.get("regexps").sequence("regexps")) {
                regexps.add(r.scalar("regexp"));
            }
        }
        boolean allowUnknown = dm.containsKey("allow_unknown") && dm.get("allow_unknown").bool("allow_unknown");
        return new DecoderConfig(name, staticMap, allowUnknown, regexps, optionalString(dm, "enum"),
                optionalString(dm, "strip_prefix"), optionalString(dm, "if_missing"));
    }

    private static String metricName(Map<String, YamlNode> m, YamlNode node, String what) {
        YamlNode n = YamlNode.get(m, "name").orElseThrow(() -> node.error(what + " needs a name"));
        String name = n.string("name");
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw n.error("metric name '" + name + "' is not a valid Prometheus metric name");
        }
        return name;
    }

    private static String help(Map<String, YamlNode> m, String name) {
        return YamlNode.get(m, "help").map(n -> n.scalar("help")).filter(h -> !h.isBlank()).orElse(name);
    }

    private static String optionalString(Map<String, YamlNode> m, String key) {
        return m.containsKey(key) ? m.get(key).string(key) : null;
    }

    private static void checkUniqueNames(List<MetricSpec> specs, String file) {
        Set<String> seen = new java.util.HashSet<>();
        for (MetricSpec s : specs) {
            if (!seen.add(s.name())) {
                throw new ConfigException(file, s.line(), "metric '" + s.name() + "' defined twice");
            }
        }
    }
}
