package dev.bpfwatch.cli;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Load configs (default: the embedded ones: kernel drop reasons, TCP listen drops "
                + "per application, drop reasons per socket, pinned UDP rate-limit filters) and serve their "
                + "metrics until SIGTERM/SIGINT. / is a landing page, /-/healthy answers OK.",
                "Needs root, or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN; CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH "
                        + "to name the processes owning listeners; CAP_SYS_ADMIN for listeners in other network "
                        + "namespaces, to mount bpffs, and for --bpf.stats."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:stopped by SIGTERM/SIGINT",
                "1:failure at run time (kernel refused with --config.strict, nothing started, port busy)",
                "2:bad input (flags, config, missing object)"},
        footerHeading = "%nExamples:%n",
        footer = {"  bpfwatch run",
                "  bpfwatch run --web.listen-address=127.0.0.1:9435 --bpf.stats",
                "  bpfwatch run --config.dir=/etc/bpfwatch --config.names=biolatency,tcp --config.strict"})
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    @Spec
    CommandSpec spec;

    @Option(names = "--web.listen-address", defaultValue = ":9435", paramLabel = "[HOST]:PORT",
            description = "Address to serve on (default: ${DEFAULT-VALUE}).")
    String listenAddress;

    @Option(names = "--web.telemetry-path", defaultValue = "/metrics", paramLabel = "PATH",
            description = "Path of the metrics (default: ${DEFAULT-VALUE}).")
    String telemetryPath;

    @Option(names = "--metrics.namespace", defaultValue = "bpfwatch", paramLabel = "NAME",
            description = "Prefix of metric names (default: ${DEFAULT-VALUE}; 'ebpf_exporter' gives ebpf_exporter's names).")
    String namespace;

    @Option(names = "--bpf.stats",
            description = "Turn on kernel BPF run-time stats (run count and time per program) while running.")
    boolean bpfStats;

    @Mixin
    ConfigOptions configs;

    @Option(names = "--debug", description = "Print stack traces with errors.")
    boolean debug;

    @Override
    public Integer call() throws InterruptedException {
        AgentOptions options = options();
        CountDownLatch stop = new CountDownLatch(1);
        Agent agent = Agent.start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close(); // links destroyed, programs out of the kernel, before the JVM goes
            stop.countDown();
        }, "bpfwatch-shutdown"));
        LOG.info(() -> "running " + agent.moduleNames() + ", metrics on port " + agent.port() + telemetryPath);
        spec.commandLine().getOut().println("bpfwatch: serving on port " + agent.port());
        spec.commandLine().getOut().flush();
        stop.await();
        return 0;
    }

    AgentOptions options() {
        if (!namespace.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            throw new UserInputException("--metrics.namespace " + namespace + ": not a valid metric name prefix");
        }
        if (!telemetryPath.startsWith("/") || telemetryPath.equals("/")) {
            throw new UserInputException("--web.telemetry-path " + telemetryPath + ": must start with / and not be /");
        }
        return new AgentOptions(ListenAddress.parse(listenAddress), telemetryPath, namespace, configs.dir,
                configs.names, configs.strict, bpfStats);
    }
}
