package dev.bpfwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.testing.Resources;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every validation error, each on a config that is good but for one thing:
 * the message must name the line and say what is wrong. Nothing is loaded.
 */
class ConfigValidationTest {
    private static BpfObject compat;
    private static BpfObject ext;
    private static final Decoders DECODERS = Decoders.standard(new HostDecoderContext());

    @BeforeAll
    static void open() {
        compat = BpfObject.open(Resources.testObject("compat_udp"));
        ext = BpfObject.open(Resources.testObject("ext_struct"));
    }

    @AfterAll
    static void close() {
        compat.close();
        ext.close();
    }

    static final String GOOD = """
            metrics:
              counters:
                - name: udp_drops_total
                  help: drops
                  labels:
                    - name: daddr
                      size: 4
                      decoders:
                        - name: inet_ip
                    - name: dport
                      size: 2
                      decoders:
                        - name: uint
                    - name: proto
                      size: 1
                      padding: 1
                      decoders:
                        - name: uint
              histograms:
                - name: udp_drop_size_bytes
                  help: sizes
                  bucket_type: exp2
                  bucket_min: 0
                  bucket_max: 16
                  labels:
                    - name: dport
                      size: 2
                      padding: 6
                      decoders:
                        - name: uint
                    - name: bucket
                      size: 8
                      decoders:
                        - name: uint
            """;

    private static ConfigSpec parse(String yaml) {
        return ConfigParser.parse("t", "t.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private static String error(String yaml, BpfObject object) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigBinder(DECODERS).bind(parse(yaml), object));
        assertTrue(e.getMessage().startsWith("t.yaml"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @org.junit.jupiter.api.Test
    void theGoodConfigBinds() {
        BoundConfig bound = new ConfigBinder(DECODERS).bind(parse(GOOD), compat);
        assertEquals(2, bound.metrics().size());
        assertEquals(3, bound.metrics().get(0).labels().size());
        assertEquals(8, bound.metrics().get(1).bucket().offset());
    }

    /** ebpf_exporter's per-CPU form: a last 2-byte label "cpu" beside the key, which the CPU number fills. */
    @org.junit.jupiter.api.Test
    void aTwoByteCpuLabelBesideTheKeyIsEbpfExportersPerCpuForm() {
        String label = """
                metrics:
                  counters:
                    - name: udp_drops_percpu_total
                      help: drops
                      labels:
                %s        - name: cpu
                          size: %d
                          decoders:
                            - name: uint
                """;
        String dport = "        - name: dport\n          size: 2\n          decoders:\n            - name: uint\n";
        BoundMetric both = new ConfigBinder(DECODERS).bind(parse(label.formatted(dport, 2)), compat).metrics().get(0);
        assertTrue(both.splitByCpu());
        assertEquals(java.util.List.of("dport", "cpu"), both.labelNames());
        assertEquals(java.util.List.of("uint"), both.cpuDecoders().stream().map(d -> d.name()).toList());
        // cpu alone: the key is no label, its values add up per CPU (ebpf_exporter drops a zero key)
        BoundMetric alone = new ConfigBinder(DECODERS).bind(parse(label.formatted("", 2)), compat).metrics().get(0);
        assertEquals(java.util.List.of("cpu"), alone.labelNames());
        assertTrue(alone.labels().isEmpty());
        // any other size is a label of the key, which must then cover it
        assertEquals("t.yaml:3: metric 'udp_drops_percpu_total': labels cover 6 bytes (dport 2 + cpu 4), but the "
                + "map key of 'udp_drops_percpu_total' is 2 bytes", error(label.formatted(dport, 4), compat));
    }

    @org.junit.jupiter.api.Test
    void aTopLevelNameIsAccepted() {
        assertEquals("t", parse("name: other\n" + GOOD).name());
    }

    /** replace {@code from} with {@code to} in the good config; expect {@code message} at {@code line}. */
    @ParameterizedTest(name = "{3}")
    @CsvSource(delimiter = '|', textBlock = """
            'help: drops'                 | 'helpp: drops'                 | 't.yaml:4: unknown key ''helpp'' in counter, did you mean ''help''?' | unknown key with suggestion
            'counters:'                   | 'counterz:'                    | 't.yaml:2: unknown key ''counterz'' in metrics, did you mean ''counters''?' | unknown section
            'size: 4'                     | 'size: four'                   | 't.yaml:7: size must be an integer, got ''four''' | wrong type
            'bucket_max: 16'              | 'bucket_max: [16]'             | 't.yaml:24: bucket_max must be a single value, got a list' | list for scalar
            'name: udp_drops_total'       | 'name: udp_drops_totals'       | 't.yaml:3: metric ''udp_drops_totals'': no map named ''udp_drops_totals'' in compat_udp.bpf.o, did you mean ''udp_drops_total''? (maps: udp_drops_total, udp_drop_size_bytes, udp_drops_percpu_total)' | metric without its map
            'padding: 1'                  | 'padding: 3'                   | 't.yaml:3: metric ''udp_drops_total'': labels cover 10 bytes (daddr 4 + dport 2 + proto 1 + padding 3), but the map key of ''udp_drops_total'' is 8 bytes' | label sizes do not add up
            'padding: 6'                  | 'padding: 2'                   | 't.yaml:20: metric ''udp_drop_size_bytes'': labels cover 12 bytes (dport 2 + padding 2 + bucket 8), but the map key of ''udp_drop_size_bytes'' is 16 bytes' | histogram key does not add up
            'bucket_type: exp2'           | 'bucket_type: exp3'            | 't.yaml:22: bucket_type ''exp3'' unknown, did you mean ''exp2''? (exp2, exp2zero, linear, fixed)' | bad bucket type
            'name: inet_ip'               | 'name: inet_ipp'               | 't.yaml:6: label ''daddr'': unknown decoder ''inet_ipp'', did you mean ''inet_ip''?' | unknown decoder
            'bucket_min: 0'               | 'bucket_min: 20'               | 't.yaml:24: bucket_max (16) must be above bucket_min (20)' | empty bucket range
            'name: dport'                 | 'name: 2port'                  | 't.yaml:10: label name ''2port'' is not a valid Prometheus label name' | bad label name
            'name: udp_drop_size_bytes'   | 'name: udp-drop'               | 't.yaml:20: metric name ''udp-drop'' is not a valid Prometheus metric name' | bad metric name
            """)
    void eachMistakeIsNamedWithItsLine(String from, String to, String expected, String what) {
        assertTrue(GOOD.contains(from), from);
        assertEquals(expected, error(GOOD.replaceFirst(java.util.regex.Pattern.quote(from), to), compat));
    }

    @org.junit.jupiter.api.Test
    void malformedYamlNamesTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("metrics:\n  counters:\n    - name: [x\n"));
        assertTrue(e.getMessage().startsWith("t.yaml:4: malformed YAML"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void histogramBucketsThatCannotFitTheirLabel() {
        String small = GOOD.replace("padding: 6", "padding: 13")
                .replace("name: bucket\n          size: 8", "name: bucket\n          size: 1").replace("bucket_type: exp2\n", "bucket_type: linear\n")
                .replace("bucket_max: 16", "bucket_max: 300");
        assertEquals("t.yaml:31: histogram 'udp_drop_size_bytes': bucket index up to 301 (bucket_max + 1 for the sum) "
                + "does not fit in bucket label 'bucket' of 1 byte(s)", error(small, compat));
    }

    @org.junit.jupiter.api.Test
    void structValueWithoutFieldListsTheFields() {
        String yaml = """
                metrics:
                  counters:
                    - name: ext_port_stats
                """;
        assertEquals("t.yaml:3: metric 'ext_port_stats': the value of map 'ext_port_stats' is struct ext_port_stats; "
                + "name the number with value_field (fields: packets, bytes, last_len)", error(yaml, ext));
    }

    @org.junit.jupiter.api.Test
    void unknownBtfFieldSuggestsTheClosest() {
        String yaml = """
                metrics:
                  counters:
                    - name: x_total
                      map: ext_port_stats
                      value_field: packets
                      labels:
                        - name: port
                          field: prot
                """;
        assertEquals("t.yaml:7: label 'port': struct ext_port_key has no field 'prot', did you mean 'port'?",
                error(yaml, ext));
    }

    @org.junit.jupiter.api.Test
    void enumDecoderNeedsAnEnumThisKernelHas() {
        String yaml = """
                metrics:
                  counters:
                    - name: x_total
                      map: ext_port_stats
                      value_field: packets
                      labels:
                        - name: port
                          field: port
                          decoders:
                            - name: uint
                        - name: reason
                          field: reason
                          decoders:
                            - name: uint
                            - name: enum
                              enum: skb_drop_reasons
                """;
        String message = error(yaml, ext);
        assertTrue(message.startsWith("t.yaml:11: label 'reason': ") && message.contains("skb_drop_reasons"), message);
    }

    @org.junit.jupiter.api.Test
    void iteratorMetricsNeedARecordTheObjectDeclares() {
        String yaml = """
                metrics:
                  gauges:
                    - name: x
                      iterator: ext_udp_sockets
                      record: ext_udp_sockett
                      value_field: drops
                """;
        assertEquals("t.yaml:3: metric 'x': no struct 'ext_udp_sockett' in the BTF of ext_struct.bpf.o "
                + "(declare it in the program so clang keeps it)", error(yaml, ext));
    }

    @org.junit.jupiter.api.Test
    void perfEventArrayMistakes() {
        String counter = """
                metrics:
                  counters:
                    - name: udp_drops_total
                      %s
                      labels:
                        - name: dport
                          size: 2
                """;
        assertEquals("t.yaml:4: 'flush_interval' only goes with 'perf_event_array: true'",
                error(counter.formatted("flush_interval: 1m"), compat));
        assertEquals("t.yaml:3: metric 'udp_drops_total': perf_event_array is set, but map 'udp_drops_total' is a HASH",
                error(counter.formatted("perf_event_array: true"), compat));
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(counter.formatted("perf_event_array: true\n      flush_interval: 5 minutes")));
        assertEquals("t.yaml:5: flush_interval: '5 minutes' is not a duration like 90s, 5m or 1h30m", e.getMessage());
        assertEquals(java.time.Duration.ofSeconds(90), parse(counter.formatted("perf_event_array: true\n      flush_interval: 1m30s"))
                .metrics().get(0).perfEvents().flushInterval());
        assertEquals(PerfEvents.DEFAULT_FLUSH, parse(counter.formatted("perf_event_array: true"))
                .metrics().get(0).perfEvents().flushInterval(), "ebpf_exporter's default: an hour");
    }
}
