package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.ChildProcess;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.SpanTraceConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent without tracing configs never loads the OpenTelemetry SDK: `run`
 * in a child JVM with -verbose:class, up to serving, lists no
 * io.opentelemetry class; the same with a tracing config lists the SDK.
 */
class TracingLazyLoadTest {
    private static final String METRICS_ONLY = """
            metrics:
              counters:
                - name: udp_drops_percpu_total
                  help: drops
                  labels:
                    - name: dport
                      size: 2
                      decoders:
                        - name: uint
            """;

    @TempDir
    Path dir;

    /** The classes the agent loaded by the time it serves. */
    private static List<String> classesLoadedUntilServing(Path configs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-Xmx128m", "-verbose:class", "-cp", ChildProcess.classpath(),
                "dev.bpfwatch.cli.Main", "run", "--web.listen-address=127.0.0.1:0", "--config.dir", configs.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> classes = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("[") && line.contains("[class,load]")) {
                    classes.add(line.substring(line.indexOf("[class,load]") + 13).split(" ")[0]);
                } else if (line.contains("serving on")) {
                    return classes;
                }
            }
            throw new AssertionError("the agent exited before serving; classes: " + classes.size());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the agent stops on SIGTERM");
        }
    }

    @Test
    void noTracingConfigNoOpenTelemetryClass() throws Exception {
        Path configs = ConfigDir.with(dir.resolve("metrics"), "compat", "compat_udp", METRICS_ONLY);
        List<String> otel = classesLoadedUntilServing(configs).stream()
                .filter(c -> c.startsWith("io.opentelemetry")).toList();
        assertEquals(List.of(), otel);
    }

    @Test
    void aTracingConfigLoadsTheSdk() throws Exception {
        Path configs = ConfigDir.with(dir.resolve("tracing"), "spans", "span_trace", SpanTraceConfig.YAML);
        List<String> classes = classesLoadedUntilServing(configs);
        assertTrue(classes.contains("io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk"),
                classes.stream().filter(c -> c.startsWith("io.opentelemetry")).limit(5).toList().toString());
    }
}
