package dev.bpfwatch.config;

import dev.bpfwatch.text.Suggest;
import dev.bpfwatch.decode.DecoderConfig;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.BtfStruct;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.MapSpec;
import dev.bpfwatch.libbpf.ObjectBtf;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a parsed config against its opened (not loaded) object: maps
 * exist, labels cover the key exactly, fields exist in BTF, bucket indexes
 * fit, decoders are known and set up right. Every error names file:line.
 */
public final class ConfigBinder {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ConfigBinder.class.getName());
    private static final int MAX_BUCKET_LABEL = 8;
    private static final int CPU_LABEL_BYTES = 2;

    private final Decoders decoders;

    public ConfigBinder(Decoders decoders) {
        this.decoders = decoders;
    }

    public BoundConfig bind(ConfigSpec config, BpfObject object) {
        List<BoundMetric> bound = new ArrayList<>();
        for (MetricSpec m : config.metrics()) {
            bound.add(m.fromIterator() ? bindIterator(config, m, object)
                    : m.fromPerfEvents() ? bindPerfEvents(config, m, object) : bindMap(config, m, object));
        }
        if (config.cgroupIds() != null) {
            checkCgroupIdMap(config, config.cgroupIds(), object);
        }
        List<BoundSpan> spans = new ArrayList<>();
        for (SpanSpec s : config.spans()) {
            spans.add(bindSpan(config, s, object));
        }
        return new BoundConfig(config, List.copyOf(bound), List.copyOf(spans));
    }

    /** The layouts ebpf_exporter requires: a u64 cgroup id (or a cgroup fd for storage) to a u64. */
    private static void checkCgroupIdMap(ConfigSpec config, CgroupIdMapSpec c, BpfObject object) {
        MapSpec map = findMap(config, c.line(), "cgroup_id_map", c.map(), object);
        boolean hash = c.type() == CgroupIdMapSpec.Type.HASH;
        BpfMapType want = hash ? BpfMapType.HASH : BpfMapType.CGRP_STORAGE;
        // ebpf_exporter's own example uses an LRU_HASH: the same layout, which the kernel may
        // evict from when full (the next sync puts evicted ids back).
        boolean typeOk = map.type() == want || (hash && map.type() == BpfMapType.LRU_HASH);
        int keySize = hash ? 8 : 4;
        if (!typeOk || map.keySize() != keySize || map.valueSize() != 8) {
            throw error(config, c.line(), "cgroup_id_map: map '" + c.map() + "' must be a " + want
                    + (hash ? " (or LRU_HASH)" : "") + " with "
                    + keySize + "-byte keys and 8-byte values for type " + (hash ? "hash" : "cgrp_storage")
                    + ", but is a " + map.type() + " with " + map.keySize() + "/" + map.valueSize());
        }
    }

    private static MapSpec findMap(ConfigSpec config, MetricSpec m, BpfObject object) {
        return findMap(config, m.line(), "metric '" + m.name() + "'", m.mapName(), object);
    }

    /** The object's map of that name; an error naming {@code who} and listing the maps otherwise. */
    private static MapSpec findMap(ConfigSpec config, int line, String who, String mapName, BpfObject object) {
        List<MapSpec> maps = object.mapSpecs();
        List<String> names = maps.stream().map(MapSpec::name).toList();
        return maps.stream().filter(s -> s.name().equals(mapName)).findFirst()
                .orElseThrow(() -> error(config, line, who + ": no map named '" + mapName + "' in " + object.name()
                        + Suggest.didYouMean(mapName, names) + " (maps: " + String.join(", ", names) + ")"));
    }

    /**
     * Events carry no BTF type, so labels are by size only, cut from the
     * start of each event; the rest of an event (padding the program's
     * struct may add) is ignored, as ebpf_exporter does.
     */
    private BoundMetric bindPerfEvents(ConfigSpec config, MetricSpec m, BpfObject object) {
        MapSpec map = findMap(config, m, object);
        if (map.type() != BpfMapType.PERF_EVENT_ARRAY) {
            throw error(config, m.line(), "metric '" + m.name() + "': perf_event_array is set, but map '"
                    + map.name() + "' is a " + map.type());
        }
        if (m.labels().stream().anyMatch(LabelSpec::byField)) {
            throw error(config, m.line(), "metric '" + m.name() + "': events have no BTF type; give labels by size");
        }
        int eventBytes = m.labels().stream().mapToInt(l -> l.size() + l.padding()).sum();
        List<LabelSlice> slices = slices(config, m, m.labels(), eventBytes, Optional.empty(), "event prefix");
        return new BoundMetric(m, map.name(), false, eventBytes, List.copyOf(slices), null, null, false);
    }

    /** Sizes the peer's span labels must have: its ids are hex of these many bytes. */
    private static final java.util.Map<String, Integer> SPAN_ID_BYTES = java.util.Map.of(
            "trace_id", 16, "parent_span_id", 8, "span_id", 8);

    /**
     * Ring buffer records carry no BTF type: labels are by size from the
     * record's start, as for perf events; what follows them is ignored.
     */
    private BoundSpan bindSpan(ConfigSpec config, SpanSpec s, BpfObject object) {
        MapSpec map = findMap(config, s.line(), "span '" + s.name() + "'", s.ringbuf(), object);
        if (map.type() != BpfMapType.RINGBUF) {
            throw error(config, s.line(), "span '" + s.name() + "': map '" + map.name() + "' is a " + map.type()
                    + ", not a RINGBUF");
        }
        List<LabelSlice> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int offset = 0;
        for (LabelSpec l : s.labels()) {
            if (!names.add(l.name())) {
                throw error(config, l.line(), "label '" + l.name() + "' appears twice in span '" + s.name() + "'");
            }
            if (l.byField() || l.size() <= 0) {
                throw error(config, l.line(), "span '" + s.name() + "': label '" + l.name()
                        + "' needs a positive 'size' (ring buffer records have no BTF type to take fields from)");
            }
            Integer idBytes = SPAN_ID_BYTES.get(l.name());
            if (idBytes != null && l.size() != idBytes) {
                throw error(config, l.line(), "span '" + s.name() + "': label '" + l.name() + "' is an id of "
                        + idBytes + " bytes (decoded by hex), not " + l.size());
            }
            try {
                decoders.validateChain(l.decoders(), l.size());
            } catch (IllegalArgumentException e) {
                throw error(config, l.line(), "label '" + l.name() + "': " + e.getMessage());
            }
            out.add(new LabelSlice(l.name(), offset, l.size(), l.decoders()));
            offset += l.size() + l.padding();
        }
        return new BoundSpan(s, List.copyOf(out), offset);
    }

    private BoundMetric bindMap(ConfigSpec config, MetricSpec m, BpfObject object) {
        MapSpec map = findMap(config, m, object);
        if (!map.type().iterable()) {
            throw error(config, m.line(), "metric '" + m.name() + "': map '" + map.name() + "' is a "
                    + map.type() + ", which holds no entries to export");
        }
        ObjectBtf btf = object.btf();
        Optional<BtfStruct> keyStruct = map.btfKeyTypeId() > 0 ? btf.struct(map.btfKeyTypeId()) : Optional.empty();
        Optional<BtfStruct> valueStruct = map.btfValueTypeId() > 0 ? btf.struct(map.btfValueTypeId()) : Optional.empty();

        List<LabelSpec> labels = new ArrayList<>(m.labels());
        boolean splitByCpu = !labels.isEmpty() && isCpuSplit(labels.get(labels.size() - 1));
        List<DecoderConfig> cpuDecoders = List.of();
        if (splitByCpu) {
            labels.remove(labels.size() - 1);
            if (!map.type().perCpu()) {
                throw error(config, m.labels().get(m.labels().size() - 1).line(), "label 'cpu' without a size "
                        + "splits per-CPU values, but map '" + map.name() + "' is a " + map.type());
            }
        } else if (map.type().perCpu() && m.kind() != MetricKind.HISTOGRAM && !labels.isEmpty()
                && isPeerCpuLabel(labels.get(labels.size() - 1))) {
            // ebpf_exporter's form: after the key's own labels, a 2-byte "cpu" label that the CPU
            // number fills (as a u16), so its decoders (uint, static_map, ...) apply to it.
            LabelSpec cpu = labels.remove(labels.size() - 1);
            try {
                decoders.validateChain(cpu.decoders(), CPU_LABEL_BYTES);
            } catch (IllegalArgumentException e) {
                throw error(config, cpu.line(), "label 'cpu': " + e.getMessage());
            }
            splitByCpu = true;
            cpuDecoders = cpu.decoders();
            if (labels.isEmpty()) {
                // The only label: ebpf_exporter drops the (zero) key, so every key's values add up per CPU.
                ValueSlice value = valueSlice(config, m, map.valueSize(), valueStruct, "value of map '"
                        + map.name() + "'");
                return new BoundMetric(m, map.name(), false, 0, List.of(), null, value, true, cpuDecoders);
            }
        }
        if (labels.isEmpty() && keyStruct.isPresent() && m.kind() != MetricKind.HISTOGRAM) {
            labels = everyField(keyStruct.get());
        }
        List<LabelSlice> slices = slices(config, m, labels, map.keySize(), keyStruct, "map key of '" + map.name() + "'");
        LabelSlice bucket = null;
        if (m.kind() == MetricKind.HISTOGRAM) {
            bucket = slices.remove(slices.size() - 1);
            checkBucket(config, m, bucket);
        }
        ValueSlice value = valueSlice(config, m, map.valueSize(), valueStruct, "value of map '" + map.name() + "'");
        return new BoundMetric(m, map.name(), false, 0, List.copyOf(slices), bucket, value, splitByCpu, cpuDecoders);
    }

    private BoundMetric bindIterator(ConfigSpec config, MetricSpec m, BpfObject object) {
        BpfProgram program = object.program(m.iterator()).orElseThrow(() -> error(config, m.line(),
                "metric '" + m.name() + "': no program named '" + m.iterator() + "' in " + object.name()
                        + Suggest.didYouMean(m.iterator(), object.programs().stream().map(BpfProgram::name).toList())));
        if (!program.isIterator()) {
            throw error(config, m.line(), "metric '" + m.name() + "': program '" + m.iterator() + "' is "
                    + program.section() + ", not an iter/ program");
        }
        BtfStruct record = object.btf().struct(m.record()).orElseThrow(() -> error(config, m.line(),
                "metric '" + m.name() + "': no struct '" + m.record() + "' in the BTF of " + object.name()
                        + " (declare it in the program so clang keeps it)"));
        List<LabelSpec> labels = m.labels().isEmpty() ? everyField(record).stream()
                .filter(l -> !l.field().equals(m.valueField())).toList() : m.labels();
        List<LabelSlice> slices = slices(config, m, labels, -1, Optional.of(record), "record " + record.name());
        ValueSlice value = valueSlice(config, m, record.size(), Optional.of(record), "record " + record.name());
        return new BoundMetric(m, program.name(), true, record.size(), List.copyOf(slices), null, value, false);
    }

    /** Labels by size must add up to the key; labels by field take their place from BTF. */
    private List<LabelSlice> slices(ConfigSpec config, MetricSpec m, List<LabelSpec> labels, int keySize,
                                    Optional<BtfStruct> struct, String what) {
        List<LabelSlice> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        boolean anyBySize = labels.stream().anyMatch(l -> !l.byField());
        boolean anyByField = labels.stream().anyMatch(LabelSpec::byField);
        if (anyBySize && anyByField) {
            throw error(config, m.line(), "metric '" + m.name() + "': labels mix 'size' and 'field'; use one way");
        }
        int offset = 0;
        StringBuilder sum = new StringBuilder();
        for (LabelSpec l : labels) {
            if (!names.add(l.name())) {
                throw error(config, l.line(), "label '" + l.name() + "' appears twice in metric '" + m.name() + "'");
            }
            int at;
            int size;
            if (l.byField()) {
                BtfStruct s = struct.orElseThrow(() -> error(config, l.line(), "label '" + l.name() + "' names field '"
                        + l.field() + "', but the " + what + " has no struct type in BTF"));
                BtfStruct.Field f = s.field(l.field()).orElseThrow(() -> error(config, l.line(), "label '" + l.name()
                        + "': struct " + s.name() + " has no field '" + l.field() + "'"
                        + Suggest.didYouMean(l.field(), s.fields().stream().map(BtfStruct.Field::name).toList())));
                at = f.offset();
                size = f.size();
            } else {
                at = offset;
                size = l.size();
                offset += l.size() + l.padding();
                sum.append(sum.length() == 0 ? "" : " + ").append(l.name()).append(' ').append(l.size());
                if (l.padding() > 0) {
                    sum.append(" + padding ").append(l.padding());
                }
            }
            List<DecoderConfig> chain = l.decoders();
            try {
                decoders.validateChain(chain, size);
            } catch (IllegalArgumentException e) {
                throw error(config, l.line(), "label '" + l.name() + "': " + e.getMessage());
            }
            for (String fallback : decoders.fallbacks(chain)) {
                LOG.warning(error(config, l.line(), "label '" + l.name() + "': " + fallback).getMessage());
            }
            out.add(new LabelSlice(l.name(), at, size, chain));
        }
        int total = struct.isPresent() && keySize < 0 ? struct.get().size() : keySize;
        if (anyBySize && offset != total) {
            throw error(config, m.line(), "metric '" + m.name() + "': labels cover " + offset + " bytes (" + sum
                    + "), but the " + what + " is " + total + " bytes");
        }
        return out;
    }

    private ValueSlice valueSlice(ConfigSpec config, MetricSpec m, int valueSize, Optional<BtfStruct> struct,
                                  String what) {
        if (m.valueField() != null) {
            BtfStruct s = struct.orElseThrow(() -> error(config, m.line(), "metric '" + m.name()
                    + "': value_field '" + m.valueField() + "' given, but the " + what + " is not a struct"));
            BtfStruct.Field f = s.field(m.valueField()).orElseThrow(() -> error(config, m.line(), "metric '"
                    + m.name() + "': struct " + s.name() + " has no field '" + m.valueField() + "'"
                    + Suggest.didYouMean(m.valueField(), s.fields().stream().map(BtfStruct.Field::name).toList())));
            if (!(f.kind() == BtfStruct.Kind.INT || f.kind() == BtfStruct.Kind.ENUM) || !validWidth(f.size())) {
                throw error(config, m.line(), "metric '" + m.name() + "': field '" + f.name()
                        + "' is not an integer of 1, 2, 4 or 8 bytes");
            }
            return new ValueSlice(f.offset(), f.size(), f.signed());
        }
        if (struct.isPresent() && !m.fromIterator()) {
            throw error(config, m.line(), "metric '" + m.name() + "': the " + what + " is struct "
                    + struct.get().name() + "; name the number with value_field (fields: "
                    + String.join(", ", struct.get().fields().stream().map(BtfStruct.Field::name).toList()) + ")");
        }
        if (!validWidth(valueSize)) {
            throw error(config, m.line(), "metric '" + m.name() + "': the " + what + " is " + valueSize
                    + " bytes; bpfwatch reads integers of 1, 2, 4 or 8 bytes");
        }
        return new ValueSlice(0, valueSize, false);
    }

    private static void checkBucket(ConfigSpec config, MetricSpec m, LabelSlice bucket) {
        LabelSpec spec = m.labels().get(m.labels().size() - 1);
        if (bucket.size() > MAX_BUCKET_LABEL || !validWidth(bucket.size())) {
            throw error(config, spec.line(), "histogram '" + m.name() + "': bucket label '" + bucket.name()
                    + "' must be an integer of 1, 2, 4 or 8 bytes, is " + bucket.size());
        }
        long largest = m.histogram().indexes().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
        double capacity = Math.pow(2, 8.0 * bucket.size()) - 1;
        if (largest > capacity) {
            throw error(config, spec.line(), "histogram '" + m.name() + "': bucket index up to " + largest
                    + " (bucket_max + 1 for the sum) does not fit in bucket label '" + bucket.name() + "' of "
                    + bucket.size() + " byte(s)");
        }
    }

    /** ebpf_exporter's per-CPU label: the last label, named cpu, 2 bytes (a u16 CPU number). */
    private static boolean isPeerCpuLabel(LabelSpec l) {
        return l.name().equals("cpu") && !l.byField() && l.size() == CPU_LABEL_BYTES && l.padding() == 0;
    }

    private static boolean isCpuSplit(LabelSpec l) {
        return l.name().equals("cpu") && !l.byField() && l.size() == 0;
    }

    /** bpfwatch: a struct key without labels gives one label per field, named after it. */
    private static List<LabelSpec> everyField(BtfStruct s) {
        List<LabelSpec> out = new ArrayList<>();
        for (BtfStruct.Field f : s.fields()) {
            if (f.name().isEmpty() || f.name().startsWith("__pad") || f.name().startsWith("pad")) {
                continue; // anonymous members and padding are no labels
            }
            boolean number = (f.kind() == BtfStruct.Kind.INT || f.kind() == BtfStruct.Kind.ENUM) && validWidth(f.size());
            out.add(new LabelSpec(f.name(), 0, 0, f.name(),
                    List.of(DecoderConfig.named(number ? "uint" : "hex")), 0));
        }
        return out;
    }

    private static boolean validWidth(int size) {
        return size == 1 || size == 2 || size == 4 || size == 8;
    }

    private static ConfigException error(ConfigSpec config, int line, String message) {
        return new ConfigException(config.file(), line, message);
    }
}
