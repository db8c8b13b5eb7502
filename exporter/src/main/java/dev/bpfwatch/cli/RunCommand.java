package dev.bpfwatch.cli;

import dev.bpfwatch.agent.Agent;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Load the bundled programs and serve their metrics until SIGTERM/SIGINT.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    @Spec
    CommandSpec spec;

    @Option(names = "--web.listen-address", defaultValue = ":9435", paramLabel = "[HOST]:PORT",
            description = "Address to serve metrics on (default: ${DEFAULT-VALUE}).")
    String listenAddress;

    @Option(names = "--metrics.namespace", defaultValue = "bpfwatch",
            description = "Prefix of every metric name (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--debug", description = "Print stack traces with errors.")
    boolean debug;

    @Override
    public Integer call() throws InterruptedException {
        InetSocketAddress listen = ListenAddress.parse(listenAddress);
        if (!namespace.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            throw new UserInputException("--metrics.namespace " + namespace + ": not a valid metric name prefix");
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (Agent agent = Agent.start(listen, namespace)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                agent.close(); // links destroyed, programs out of the kernel, before the JVM goes
                stop.countDown();
            }, "bpfwatch-shutdown"));
            LOG.info(() -> "serving metrics on http://" + listenAddress + "/metrics");
            spec.commandLine().getOut().println("bpfwatch: serving on port " + agent.port());
            spec.commandLine().getOut().flush();
            stop.await();
        }
        return 0;
    }
}
