package dev.bpfwatch.cli;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Load configs (default: the embedded ones), serve their metrics until SIGTERM/SIGINT.")
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

    @Option(names = "--web.config.file", paramLabel = "FILE",
            description = "Web config (exporter-toolkit format): TLS (tls_server_config) and basic auth "
                    + "(basic_auth_users, bcrypt). Default: plain HTTP, no authentication.")
    Path webConfigFile;

    @Option(names = "--metrics.namespace", defaultValue = "bpfwatch",
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
                configs.names, configs.strict, bpfStats, webConfigFile);
    }
}
