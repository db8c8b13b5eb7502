package dev.bpfwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.RepoFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The deployment files checked by the tools that own their formats
 * (promtool, systemd-analyze, snakeyaml), and against each other: the
 * DaemonSet, the systemd unit and the README's docker run line must use the
 * same flags (real options of `bpfwatch run`) and the same capabilities.
 */
class DeployFilesTest {
    private static final Path ROOT = RepoFiles.root();
    private static final Set<String> CAPABILITIES =
            Set.of("BPF", "PERFMON", "NET_ADMIN", "SYS_PTRACE", "DAC_READ_SEARCH", "SYS_ADMIN");

    @Test
    void promtoolChecksTheScrapeConfig() {
        RepoFiles.Result r = RepoFiles.exec(ROOT.resolve("deploy/prometheus"), "promtool", "check", "config",
                "prometheus.yml");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS: 1 rule files found"), "the alert rules are loaded: " + r.output());
    }

    @Test
    void promtoolChecksTheAlertRules() {
        RepoFiles.Result r = RepoFiles.exec(ROOT.resolve("deploy/prometheus"), "promtool", "check", "rules",
                "bpfwatch-rules.yml");
        assertEquals(0, r.exitCode(), r.output());
        List<String> alerts = alertNames();
        for (String a : List.of("BpfwatchListenDropsRising", "BpfwatchAcceptQueueNearlyFull", "BpfwatchMapNearlyFull",
                "BpfwatchUdpLimiterDropping", "BpfwatchUdpFilterProtectsNothing", "BpfwatchConfigFailed")) {
            assertTrue(alerts.contains(a), a + " in " + alerts);
        }
    }

    /**
     * The alerts' behaviour on made-up series (deploy/prometheus/bpfwatch-rules.test.yml): above all that
     * BpfwatchListenDropsRising pages on a full accept queue and not on a TCP_DEFER_ACCEPT listener's
     * held-back bare ACKs (TCP-connect health checks).
     */
    @Test
    void promtoolUnitTestsOfTheAlertRulesPass() {
        RepoFiles.Result r = RepoFiles.exec(ROOT.resolve("deploy/prometheus"), "promtool", "test", "rules",
                "bpfwatch-rules.test.yml");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    /** Debian's promtool is built without Kubernetes discovery, so this job is checked as YAML only. */
    @Test
    @SuppressWarnings("unchecked")
    void kubernetesScrapeJobKeepsOnlyAnnotatedBpfwatchPods() {
        Map<String, Object> conf = RepoFiles.yaml(RepoFiles.read("deploy/prometheus/prometheus-kubernetes.yml"));
        Map<String, Object> job = ((List<Map<String, Object>>) conf.get("scrape_configs")).get(0);
        assertEquals("pod", ((List<Map<String, Object>>) job.get("kubernetes_sd_configs")).get(0).get("role"));
        String relabel = job.get("relabel_configs").toString();
        assertTrue(relabel.contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape"), relabel);
        assertTrue(relabel.contains("__meta_kubernetes_pod_annotation_prometheus_io_port"), relabel);
    }

    @Test
    void systemdAnalyzeVerifiesTheUnit(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")),
                "systemd-analyze not installed (apt-get install systemd)");
        // verify also checks that ExecStart's program exists: point it at this tree's launcher,
        // as `make install` points it at PREFIX/bin/bpfwatch
        String unit = RepoFiles.read("deploy/systemd/bpfwatch.service");
        assertTrue(unit.contains("\nExecStart=/usr/bin/bpfwatch "), "ExecStart runs the launcher");
        Path copy = dir.resolve("bpfwatch.service");
        Files.writeString(copy, unit.replace("ExecStart=/usr/bin/bpfwatch ", "ExecStart=" + ROOT.resolve("bin/bpfwatch") + " "));
        RepoFiles.Result r = RepoFiles.exec(ROOT, "systemd-analyze", "verify", copy.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("", r.output().strip(), "no warnings (unknown keys, bad values)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void daemonSetRunsOnEveryNodeWithHostPidCapabilitiesAndBpffs() {
        Map<String, Object> ds = kind("DaemonSet");
        Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) ds.get("spec")).get("template");
        Map<String, Object> annotations = (Map<String, Object>) ((Map<String, Object>) template.get("metadata"))
                .get("annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals("9435", annotations.get("prometheus.io/port"));
        Map<String, Object> pod = (Map<String, Object>) template.get("spec");
        assertEquals(Boolean.TRUE, pod.get("hostPID"));
        assertEquals(Boolean.TRUE, pod.get("hostNetwork"));
        Map<String, Object> container = container();
        Map<String, Object> security = (Map<String, Object>) container.get("securityContext");
        assertEquals(Boolean.FALSE, security.get("privileged"), "capabilities, not a privileged container");
        Map<String, Object> caps = (Map<String, Object>) security.get("capabilities");
        assertEquals(List.of("ALL"), caps.get("drop"));
        assertEquals(CAPABILITIES, Set.copyOf((List<String>) caps.get("add")));
        Map<String, String> mounts = ((List<Map<String, Object>>) container.get("volumeMounts")).stream()
                .collect(Collectors.toMap(m -> (String) m.get("mountPath"), m -> (String) m.get("name")));
        Map<String, String> hostPaths = ((List<Map<String, Object>>) pod.get("volumes")).stream()
                .filter(v -> v.containsKey("hostPath")).collect(Collectors.toMap(v -> (String) v.get("name"),
                        v -> (String) ((Map<String, Object>) v.get("hostPath")).get("path")));
        for (String path : List.of("/sys/fs/bpf", "/sys/kernel/btf", "/run/netns")) {
            assertEquals(path, hostPaths.get(mounts.get(path)), path + " is the host's");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void podMonitorSelectsTheDaemonSetsPodsByPortName() {
        Map<String, Object> pm = RepoFiles.yaml(RepoFiles.read("deploy/kubernetes/podmonitor.yaml"));
        assertEquals("monitoring.coreos.com/v1", pm.get("apiVersion"));
        assertEquals("PodMonitor", pm.get("kind"));
        Map<String, Object> spec = (Map<String, Object>) pm.get("spec");
        Map<String, Object> ds = kind("DaemonSet");
        Object podLabels = ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ds.get("spec"))
                .get("template")).get("metadata")).get("labels");
        assertEquals(((Map<String, Object>) spec.get("selector")).get("matchLabels"), podLabels);
        String port = (String) ((List<Map<String, Object>>) spec.get("podMetricsEndpoints")).get(0).get("port");
        List<Map<String, Object>> ports = (List<Map<String, Object>>) container().get("ports");
        assertTrue(ports.stream().anyMatch(p -> port.equals(p.get("name"))), "container port named " + port);
    }

    /** The DaemonSet, the systemd unit and the README's docker run line: same flags, same capabilities. */
    @Test
    @SuppressWarnings("unchecked")
    void daemonSetSystemdAndReadmeUseTheSameFlagsAndCapabilities() {
        List<String> dockerRun = readmeDockerRun();
        int image = dockerRun.lastIndexOf("bpfwatch"); // the image; "--name bpfwatch" comes before it
        assertTrue(image > 0, "the README's docker run line names the image bpfwatch: " + dockerRun);
        List<String> readmeArgs = dockerRun.subList(image + 1, dockerRun.size());
        List<String> dsArgs = (List<String>) container().get("args");
        assertEquals(readmeArgs, dsArgs, "DaemonSet args == the README's docker run arguments");

        String exec = RepoFiles.read("deploy/systemd/bpfwatch.service").lines()
                .filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        List<String> unitArgs = Arrays.stream(exec.split("\\s+"))
                .dropWhile(t -> !t.equals("run")).filter(t -> !t.startsWith("$")).toList();
        assertEquals(dsArgs, unitArgs, "systemd ExecStart arguments == DaemonSet args");

        CommandLine run = BpfwatchCommand.commandLine().getSubcommands().get(dsArgs.get(0));
        assertNotNull(run, "first argument is a command: " + dsArgs);
        for (String arg : dsArgs.subList(1, dsArgs.size())) {
            String flag = arg.split("=", 2)[0];
            assertNotNull(run.getCommandSpec().findOption(flag), flag + " is an option of bpfwatch run");
        }

        Set<String> dockerCaps = dockerRun.stream().filter(t -> t.startsWith("--cap-add="))
                .map(t -> t.substring("--cap-add=".length())).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(CAPABILITIES), dockerCaps, "docker run --cap-add");
        assertTrue(dockerRun.contains("--cap-drop=ALL"));
        for (String key : List.of("CapabilityBoundingSet=", "AmbientCapabilities=")) {
            String line = RepoFiles.read("deploy/systemd/bpfwatch.service").lines()
                    .filter(l -> l.startsWith(key)).findFirst().orElseThrow();
            Set<String> unitCaps = Arrays.stream(line.substring(key.length()).split("\\s+"))
                    .map(c -> c.replaceFirst("^CAP_", "")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(CAPABILITIES), unitCaps, key);
        }
        for (String needed : List.of("--pid=host", "--network=host", "/sys/fs/bpf:/sys/fs/bpf",
                "/sys/kernel/btf:/sys/kernel/btf:ro")) {
            assertTrue(dockerRun.contains(needed), "docker run has " + needed + ": " + dockerRun);
        }
    }

    /** Every COPY source of the Dockerfile exists; the runtime stage copies what the Maven build makes. */
    @Test
    void dockerfileCopiesExistingSourcesAndTheBuiltJar() throws Exception {
        List<String> lines = RepoFiles.read("Dockerfile").lines().map(String::strip).toList();
        String workdir = null;
        List<String> fromBuild = new ArrayList<>();
        int copies = 0;
        for (String line : lines) {
            String[] t = line.split("\\s+");
            if (t[0].equals("WORKDIR") && workdir == null) {
                workdir = t[1]; // the build stage's
            } else if (t[0].equals("COPY") && t[1].startsWith("--from=build")) {
                fromBuild.add(t[2]);
            } else if (t[0].equals("COPY")) {
                for (String src : Arrays.asList(t).subList(1, t.length - 1)) {
                    assertTrue(Files.exists(ROOT.resolve(src)), "COPY source " + src + " exists");
                    copies++;
                }
            }
        }
        assertTrue(copies >= 4, "the build stage copies the sources");
        assertEquals(List.of(workdir + "/exporter/target/bpfwatch.jar"), fromBuild,
                "the runtime stage copies the jar the build stage's Maven run makes in its WORKDIR");
        // the jar's name comes from the shade plugin's finalName
        assertTrue(RepoFiles.read("exporter/pom.xml").contains("<finalName>bpfwatch</finalName>"));
        String dockerfile = RepoFiles.read("Dockerfile");
        for (String pkg : List.of("clang", "llvm", "libbpf-dev", "bpftool", "make", "maven", "openjdk-17-jre-headless",
                "libbpf1")) {
            assertTrue(dockerfile.contains(" " + pkg + " ") || dockerfile.contains(" " + pkg + "\n"), pkg);
        }
        String ignore = RepoFiles.read(".dockerignore");
        assertTrue(ignore.contains("**/target/"), "build outputs stay out of the build context");
        assertTrue(Files.isExecutable(ROOT.resolve("deploy/docker-build-steps.sh")));
    }

    /** Users run `bpfwatch CMD` (bin/bpfwatch with the shipped JVM flags), never `java -jar`: docs, image and unit alike. */
    @Test
    void readmeImageAndUnitRunTheLauncherNotTheJar() {
        for (String file : List.of("README.md", "Dockerfile", "deploy/systemd/bpfwatch.service",
                "deploy/kubernetes/daemonset.yaml")) {
            assertFalse(RepoFiles.read(file).contains("java -jar"), file + " shows java -jar");
        }
        String dockerfile = RepoFiles.read("Dockerfile");
        assertTrue(dockerfile.contains("\nCOPY bin/bpfwatch /usr/bin/bpfwatch\n"), "the image has the launcher on PATH");
        assertTrue(dockerfile.contains("\nENTRYPOINT [\"bpfwatch\"]\n"), "the image's entry point is the launcher");
        String exec = RepoFiles.read("deploy/systemd/bpfwatch.service").lines()
                .filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertTrue(exec.startsWith("ExecStart=/usr/bin/bpfwatch run "), exec);
        // the Makefile's JAVA_OPTS (make run, make bench) come from the launcher, not a copy
        String launcher = RepoFiles.read("bin/bpfwatch");
        assertTrue(launcher.contains("\nAGENT_OPTS=\"-XX:+UseSerialGC -Xss512k -XX:MaxRAM=256m -XX:+ExitOnOutOfMemoryError -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=5000\"\n"),
                "the agent's shipped flags");
        assertTrue(RepoFiles.read("Makefile").contains("AGENT_OPTS := $(shell sed -n 's/^AGENT_OPTS="), "Makefile reads them");
    }

    @Test
    @SuppressWarnings("unchecked")
    void dashboardHasAPanelPerConcernEachWithAQuery() {
        List<Map<String, Object>> panels = Dashboard.panels();
        Set<String> titles = panels.stream().map(p -> (String) p.get("title")).collect(Collectors.toSet());
        for (String t : List.of("Listen drops per application", "Accept queue fill", "Drop reasons per port",
                "UDP limiter pass/drop per destination IP", "BPF program run time", "BPF map fill")) {
            assertTrue(titles.contains(t), t + " in " + titles);
        }
        Set<Object> ids = panels.stream().map(p -> p.get("id")).collect(Collectors.toSet());
        assertEquals(panels.size(), ids.size(), "panel ids unique");
        for (Map<String, Object> p : panels) {
            if (!"row".equals(p.get("type"))) {
                List<Map<String, Object>> targets = (List<Map<String, Object>>) p.get("targets");
                assertFalse(targets.isEmpty(), p.get("title") + " has a query");
                targets.forEach(t -> assertTrue(((String) t.get("expr")).contains("bpfwatch_"), p.get("title")
                        + ": " + t.get("expr")));
            }
        }
    }

    private static List<String> alertNames() {
        return RepoFiles.read("deploy/prometheus/bpfwatch-rules.yml").lines()
                .filter(l -> l.strip().startsWith("- alert: ")).map(l -> l.strip().substring(9)).toList();
    }

    /** The README's `docker run` command, continuation lines joined, split into words. */
    static List<String> readmeDockerRun() {
        List<String> lines = RepoFiles.read("README.md").lines().toList();
        StringBuilder cmd = new StringBuilder();
        boolean in = false;
        for (String l : lines) {
            if (!in && l.strip().startsWith("docker run ")) {
                in = true;
            }
            if (in) {
                String s = l.strip();
                boolean more = s.endsWith("\\");
                cmd.append(' ').append(more ? s.substring(0, s.length() - 1) : s);
                if (!more) {
                    break;
                }
            }
        }
        assertTrue(in, "README has a docker run line");
        return Arrays.stream(cmd.toString().strip().split("\\s+")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> kind(String kind) {
        return RepoFiles.yamlDocuments(RepoFiles.read("deploy/kubernetes/daemonset.yaml")).stream()
                .map(d -> (Map<String, Object>) d).filter(d -> kind.equals(d.get("kind"))).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container() {
        Map<String, Object> ds = kind("DaemonSet");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ds.get("spec"))
                .get("template")).get("spec");
        return ((List<Map<String, Object>>) pod.get("containers")).get(0);
    }
}
