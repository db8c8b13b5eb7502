package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.OtlpReceiver;
import dev.bpfwatch.testing.OtlpReceiver.Received;
import dev.bpfwatch.testing.Promtool;
import dev.bpfwatch.testing.Scrape;
import dev.bpfwatch.testing.SpanTraceConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ebpf_exporter's {@code tracing:} configs against the real kernel and a
 * real OTLP/HTTP receiver: programs/testdata/span_trace.bpf.c sends a span
 * when a traced program execs (its child) and one when it exits (the
 * parent, exec to exit). The test runs the program N times and checks that
 * the receiver decoded N of each, with the ids, times, parents, services and
 * attributes the config describes.
 */
class TracingSpansTest {

    private static final String PROGRAM = "bpfw-span-true";
    private static final int RUNS = 5;

    @TempDir
    Path dir;
    private OtlpReceiver receiver;

    @BeforeEach
    void receiver() throws Exception {
        receiver = new OtlpReceiver();
        // Autoconfiguration reads system properties as it reads OTEL_* variables.
        System.setProperty("otel.exporter.otlp.traces.endpoint", receiver.tracesEndpoint());
        System.setProperty("otel.bsp.schedule.delay", "100ms");
    }

    @AfterEach
    void stop() {
        System.clearProperty("otel.exporter.otlp.traces.endpoint");
        System.clearProperty("otel.bsp.schedule.delay");
        System.clearProperty("otel.traces.exporter");
        System.clearProperty("otel.exporter.otlp.protocol");
        System.clearProperty("otel.service.name");
        receiver.close();
    }

    private static long epochNanos() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private Agent startAgent() {
        Path configs = dir.resolve("configs");
        ConfigDir.with(configs, "spans", "span_trace", SpanTraceConfig.YAML);
        return Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(configs, List.of()),
                List.of());
    }

    private void runTraced(int times) throws Exception {
        Path program = dir.resolve(PROGRAM);
        if (!Files.exists(program)) {
            Files.copy(Path.of("/bin/true"), program);
        }
        for (int i = 0; i < times; i++) {
            assertTrue(new ProcessBuilder(program.toString()).start().waitFor(10, TimeUnit.SECONDS));
        }
    }

    private static double awaitMetric(Agent agent, String name, String labels, double expected) throws Exception {
        double seen = -1;
        for (int i = 0; i < 100 && seen != expected; i++) {
            seen = Scrape.value(Scrape.metrics(agent.port()), name, labels);
            if (seen != expected) {
                Thread.sleep(100);
            }
        }
        return seen;
    }

    @Test
    void spansStillQueuedAtShutdownAreSent() throws Exception {
        System.setProperty("otel.bsp.schedule.delay", "60s");
        System.setProperty("otel.service.name", "node-17");
        try (Agent agent = startAgent()) {
            runTraced(3);
            assertEquals(3, awaitMetric(agent, "bpfwatch_spans_total", "config=\"spans\",span=\"exec\"", 3));
            assertEquals(List.of(), receiver.spans(), "a minute's delay: nothing sent yet");
        }
        assertEquals(3, receiver.spans().stream().filter(s -> s.name().equals("exec")).count(), receiver.spans().toString());
        assertEquals(3, receiver.spans().stream().filter(s -> s.name().equals(PROGRAM)).count());
        assertEquals(Set.of("span-test", "node-17"), receiver.spans().stream().map(Received::service)
                .collect(Collectors.toSet()), "OTEL_SERVICE_NAME names spans without a service of their own");
    }

    @Test
    void tracesExporterNoneDropsSpansAndCountsThem() throws Exception {
        System.setProperty("otel.traces.exporter", "none");
        try (Agent agent = startAgent()) {
            runTraced(2);
            assertEquals(2, awaitMetric(agent, "bpfwatch_spans_dropped_total", "config=\"spans\",span=\"exec\"", 2));
            assertEquals(0, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_spans_total",
                    "config=\"spans\",span=\"exec\""));
        }
        assertEquals(List.of(), receiver.spans());
    }

    @Test
    void aProtocolBpfwatchCannotSendIsOneLine() {
        System.setProperty("otel.exporter.otlp.protocol", "grpc");
        System.clearProperty("otel.exporter.otlp.traces.endpoint"); // a gRPC endpoint has no path
        AgentStartException e = org.junit.jupiter.api.Assertions.assertThrows(AgentStartException.class,
                this::startAgent);
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("tracing: OpenTelemetry settings (OTEL_* variables): "), e.getMessage());
        assertTrue(e.getMessage().contains("GrpcSenderProvider"), "what is missing: " + e.getMessage());
        assertEquals(0, Bpftool.countOwnPrograms("span_exec"), "the config's programs are gone");
    }

    @Test
    void everyExecAndExitBecomesOneSpanJoinedByItsIds() throws Exception {
        Path configs = dir.resolve("configs");
        ConfigDir.with(configs, "spans", "span_trace", SpanTraceConfig.YAML);
        Path program = dir.resolve(PROGRAM);
        Files.copy(Path.of("/bin/true"), program);
        program.toFile().setExecutable(true);
        Set<String> pids = new java.util.HashSet<>();
        long before;
        long after;
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(configs, List.of()), List.of())) {
            before = epochNanos();
            for (int i = 0; i < RUNS; i++) {
                Process p = new ProcessBuilder(program.toString()).start();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                pids.add(Long.toString(p.pid()));
            }
            after = epochNanos();
            List<Received> exec = receiver.await(s -> s.name().equals("exec"), RUNS);
            List<Received> children = receiver.await(s -> s.name().equals(PROGRAM), RUNS);
            Thread.sleep(500); // a few more export rounds: nothing arrives twice
            exec = receiver.spans().stream().filter(s -> s.name().equals("exec")).toList();
            children = receiver.spans().stream().filter(s -> s.name().equals(PROGRAM)).toList();
            assertEquals(RUNS, exec.size(), receiver.spans().toString());
            assertEquals(RUNS, children.size(), receiver.spans().toString());
            assertEquals(2 * RUNS, receiver.spans().size(), "no other span: " + receiver.spans());

            String metrics = Scrape.metrics(agent.port());
            assertEquals(RUNS, Scrape.value(metrics, "bpfwatch_spans_total", "config=\"spans\",span=\"exec\""));
            assertEquals(RUNS, Scrape.value(metrics, "bpfwatch_spans_total",
                    "config=\"spans\",span=\"exec_child_spans\""));
            assertEquals(0, Scrape.value(metrics, "bpfwatch_span_decode_errors_total",
                    "config=\"spans\",span=\"exec\""));
            assertEquals(0, Scrape.value(metrics, "bpfwatch_spans_dropped_total", "config=\"spans\",span=\"exec\""));
            assertEquals(1, Scrape.value(metrics, "bpfwatch_span_reader_up", "config=\"spans\""));
            assertEquals("", Promtool.checkMetrics(metrics));
            assertEquals(1, Bpftool.countOwnPrograms("span_exec"));
        }

        Map<String, Received> execBySpanId = new HashMap<>();
        for (Received e : receiver.spans().stream().filter(s -> s.name().equals("exec")).toList()) {
            assertEquals("span-test", e.service(), "the span's own service");
            assertEquals("", e.parentSpanId(), "a zero parent id makes a root span");
            // trace_id_hi then trace_id_lo, each a little-endian u64, hex in memory order
            assertTrue(e.traceId().startsWith("0077706200000000"), e.traceId());
            assertEquals(e.spanId(), e.traceId().substring(16), "trace_id_lo and span_id are one timestamp");
            assertEquals(Map.of("tgid", e.attributes().get("tgid"), "comm", PROGRAM, "kind", "exec",
                    "bpfwatch.config", "spans"), e.attributes());
            assertTrue(e.endNanos() > e.startNanos(), "exec to exit takes time");
            // CLOCK_MONOTONIC turned into wall-clock time: inside the runs (1 ms of slack for rounding)
            assertTrue(e.startNanos() >= before - 1_000_000 && e.endNanos() <= after + 1_000_000,
                    before + " <= " + e.startNanos() + " .. " + e.endNanos() + " <= " + after);
            assertEquals("bpfwatch", e.scope());
            execBySpanId.put(e.spanId(), e);
        }
        assertEquals(pids, receiver.spans().stream().filter(s -> s.name().equals("exec"))
                .map(s -> s.attributes().get("tgid")).collect(Collectors.toSet()), "one span per process run");
        assertEquals(RUNS, execBySpanId.size(), "span ids are distinct");

        for (Received c : receiver.spans().stream().filter(s -> s.name().equals(PROGRAM)).toList()) {
            assertEquals("bpfwatch", c.service(), "no service: the process-wide one");
            Received parent = execBySpanId.get(c.parentSpanId());
            assertTrue(parent != null, "the child's parent is an exec span: " + c);
            assertEquals(parent.traceId(), c.traceId());
            assertNotEquals(parent.spanId(), c.spanId());
            assertEquals(c.startNanos(), c.endNanos(), "a zero duration");
            assertTrue(Math.abs(c.startNanos() - parent.startNanos()) < 1_000_000, "both start at the exec");
            assertEquals(Set.of("process.cpu", "bpfwatch.config"), c.attributes().keySet());
            int cpu = Integer.parseInt(c.attributes().get("process.cpu"));
            assertTrue(cpu >= 0 && cpu < Runtime.getRuntime().availableProcessors(), c.toString());
        }
        assertTrue(receiver.contentTypes().stream().allMatch("application/x-protobuf"::equals),
                "OTLP/HTTP protobuf by default: " + receiver.contentTypes());
        assertEquals(0, Bpftool.countOwnPrograms("span_exec"), "closing the agent releases the program");
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("ring-buffers-")
                || t.getName().equals("otlp-spans")), "the readers and the sender stopped");
    }
}
