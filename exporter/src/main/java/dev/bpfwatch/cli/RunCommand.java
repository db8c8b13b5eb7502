package dev.bpfwatch.cli;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.http.WebServer;
import dev.bpfwatch.libbpf.CustomBtf;
import dev.bpfwatch.libbpf.IgnoredSignals;
import dev.bpfwatch.libbpf.NativeHeap;
import dev.bpfwatch.ratelimit.FilterPins;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Load configs (default: the embedded ones: kernel drop reasons, TCP listen drops "
                + "per application, drop reasons per socket, pinned UDP rate-limit filters) and serve their "
                + "metrics until SIGTERM/SIGINT. / is a landing page, /-/healthy answers OK. SIGHUP or POST "
                + "/-/reload re-reads the configs; a bad new config keeps the old one running.",
                "Needs root, or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN; CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH "
                        + "to name the processes owning listeners; CAP_SYS_ADMIN for listeners in other network "
                        + "namespaces, to mount bpffs, and for --bpf.stats."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:stopped by SIGTERM/SIGINT",
                "1:failure at run time (kernel refused with --config.strict, nothing started, port busy, "
                        + "another bpfwatch run on the same --bpf.pin-path)",
                "2:bad input (flags, config, missing object)"},
        footerHeading = "%nExamples:%n",
        footer = {"  bpfwatch run",
                "  bpfwatch run --web.listen-address=127.0.0.1:9435 --bpf.stats",
                "  bpfwatch run --config.dir=/etc/bpfwatch --config.names=biolatency,tcp --config.strict"})
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());
    private static final int SIGHUP = 1;
    private static final int SIGINT = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--web.listen-address", defaultValue = ":9435", paramLabel = "[HOST]:PORT",
            description = "Address to serve on (default: ${DEFAULT-VALUE}); fd://N: the Nth listening socket "
                    + "systemd passed (socket activation, fd://0 the first).")
    String listenAddress;

    @Option(names = "--web.telemetry-path", defaultValue = "/metrics", paramLabel = "PATH",
            description = "Path of the metrics, served at exactly this path (default: ${DEFAULT-VALUE}; "
                    + "not /, /-/healthy or /-/reload).")
    String telemetryPath;

    @Option(names = "--web.config.file", paramLabel = "FILE",
            description = "Web config (exporter-toolkit format): TLS (tls_server_config) and basic auth "
                    + "(basic_auth_users, bcrypt). Default: plain HTTP, no authentication.")
    Path webConfigFile;

    @Option(names = "--metrics.namespace", defaultValue = "bpfwatch", paramLabel = "NAME",
            description = "Prefix of metric names (default: ${DEFAULT-VALUE}; 'ebpf_exporter' gives ebpf_exporter's names).")
    String namespace;

    @Option(names = "--bpf.stats",
            description = "Turn on kernel BPF run-time stats (run count and time per program) while running.")
    boolean bpfStats;

    @Mixin
    ConfigOptions configs;

    @Option(names = "--bpf.pin-path", defaultValue = "/sys/fs/bpf/bpfwatch", paramLabel = "DIR",
            description = "Pin each config's maps under DIR/CONFIG so counters survive restarts, and export the "
                    + "udp-limit filters pinned under DIR/udp-limit (default: ${DEFAULT-VALUE}; empty: no pins). "
                    + "One agent per DIR: a second refuses to start.")
    String pinPath;

    @Option(names = "--metrics.max-series", defaultValue = "10000", paramLabel = "N",
            description = "Series one metric may have; beyond it the smallest are summed into one labelled "
                    + "\"other\" and counted in bpfwatch_series_dropped_total (default: ${DEFAULT-VALUE}).")
    int maxSeries;

    @Option(names = "--log.no-timestamps",
            description = "Log lines without the date and time (journald and log collectors add their own).")
    boolean noLogTimestamps;

    @Mixin
    BtfPathOption btf;

    @Option(names = "--capabilities.keep", defaultValue = "all", paramLabel = "all",
            description = "ebpf_exporter's flag, accepted for its unit files: only 'all' (the default). bpfwatch "
                    + "keeps its capabilities, since reloads and listener attribution need them after start-up; "
                    + "limit them with the service manager (CapabilityBoundingSet, --cap-drop).")
    String capabilitiesKeep;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws InterruptedException {
        AgentOptions options = options();
        if (noLogTimestamps) {
            UntimedLogLines.install();
        }
        CountDownLatch stop = new CountDownLatch(1);
        NativeHeap.mapLargeBlocks(); // before the loads parse the kernel's BTF (see NativeHeap)
        Agent agent = Agent.start(options);
        // SIGTERM/SIGINT end the wait below: programs are taken out and the exit code is 0, as
        // service managers expect of a clean stop. The hook covers other exits (System.exit elsewhere).
        Signal.handle(new Signal("TERM"), sig -> stop.countDown());
        IgnoredSignals.unignore(SIGINT); // a script's `bpfwatch run &` starts with it ignored
        Signal.handle(new Signal("INT"), sig -> stop.countDown());
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "bpfwatch-shutdown"));
        // SIGHUP re-reads configs, as Prometheus and its exporters do, also when started under nohup
        // (which ignores SIGHUP, and the JVM then installs no handler, silently).
        IgnoredSignals.unignore(SIGHUP);
        Signal.handle(new Signal("HUP"), sig -> new Thread(agent::reload, "bpfwatch-reload").start());
        StartupArchive.recordLaterIfAsked();
        LOG.info(() -> "running " + agent.moduleNames() + ", metrics at " + agent.url() + telemetryPath);
        spec.commandLine().getOut().println("bpfwatch: serving on " + agent.url() + " (metrics at " + telemetryPath
                + ")");
        spec.commandLine().getOut().flush();
        stop.await();
        agent.close();
        LOG.info("stopped");
        return 0;
    }

    AgentOptions options() {
        if (!"all".equals(capabilitiesKeep)) {
            // Capabilities are per thread in Linux: capset(2) would drop them from the calling thread
            // only, while the JVM's other threads (GC, compiler, HTTP handlers) kept every one.
            throw new UserInputException("--capabilities.keep " + capabilitiesKeep + ": only 'all'; bpfwatch "
                    + "needs its capabilities after start-up (reloads, listener owners) and a JVM cannot drop "
                    + "them from all its threads: limit them with CapabilityBoundingSet= or --cap-drop");
        }
        if (!namespace.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            throw new UserInputException("--metrics.namespace " + namespace + ": not a valid metric name prefix");
        }
        if (!telemetryPath.startsWith("/") || telemetryPath.equals("/")) {
            throw new UserInputException("--web.telemetry-path " + telemetryPath + ": must start with / and not be /");
        }
        if (WebServer.BUILT_IN_PATHS.contains(telemetryPath)) {
            throw new UserInputException("--web.telemetry-path " + telemetryPath + ": is a built-in endpoint ("
                    + String.join(", ", new TreeSet<>(WebServer.BUILT_IN_PATHS)) + ")");
        }
        if (debug.debug && WebServer.MAPS.equals(telemetryPath)) {
            throw new UserInputException("--web.telemetry-path " + telemetryPath + ": with --debug, "
                    + WebServer.MAPS + " serves the raw maps");
        }
        if (maxSeries < 2) {
            throw new UserInputException("--metrics.max-series " + maxSeries + ": must be at least 2");
        }
        Path pins = pinPath.isBlank() ? null : PinPath.inside(pinPath);
        // The udp-limit filters it exports live under the same pin path (the default one without pins).
        FilterPins.useRoot(pins != null ? pins : FilterPins.DEFAULT_PIN_PATH);
        CustomBtf customBtf = btf.customBtf();
        if (listenAddress.startsWith(ListenAddress.FD_PREFIX)) {
            ServerSocketChannel passed = ListenAddress.inherited(listenAddress);
            return new AgentOptions(null, telemetryPath, namespace, configs.dir, configs.names, configs.strict,
                    bpfStats, pins, maxSeries, webConfigFile, debug.debug, customBtf, null)
                    .withInheritedListener(passed, ListenAddress.localAddress(passed));
        }
        return new AgentOptions(ListenAddress.parse(listenAddress), telemetryPath, namespace, configs.dir,
                configs.names, configs.strict, bpfStats, pins, maxSeries, webConfigFile, debug.debug, customBtf, null);
    }
}
