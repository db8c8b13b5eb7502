package dev.bpfwatch.cli;

import dev.bpfwatch.sockets.DeferAcceptCounter;
import dev.bpfwatch.sockets.Listener;
import dev.bpfwatch.sockets.ListenerDropRate;
import dev.bpfwatch.sockets.ListenerScan;
import dev.bpfwatch.sockets.ListenerWalker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "listen-drops", mixinStandardHelpOptions = true,
        description = {
                "Which application's TCP listener drops connections: every listening socket of every network "
                        + "namespace, worst first, with its owner (process, pid, systemd unit or container), "
                        + "accept-queue fill (current/max), its drops (sk_drops, its share of TcpExtListenDrops) "
                        + "and drops per second over --interval. Bare ACKs a TCP_DEFER_ACCEPT listener holds "
                        + "back (TCP-connect health checks) are counted apart: they are no full queue.",
                "Needs root (or CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN to enter namespaces)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure at run time (kernel refused)", "2:bad input"})
final class ListenDropsCommand implements Callable<Integer> {
    enum Output { text, json }

    @Spec
    CommandSpec spec;

    @Option(names = "--interval", defaultValue = "1s", converter = IntervalConverter.class, paramLabel = "DURATION",
            description = "Time between the two walks drops per second are measured over, e.g. 500ms, 2s "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--watch", description = "Repeat every --interval until interrupted.")
    boolean watch;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N",
            description = "With --watch: stop after N reports (default: until interrupted).")
    int count;

    @Option(names = "--top", defaultValue = "20", paramLabel = "N",
            description = "Show the N worst listeners; 0 shows all (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT",
            description = "text (80 columns, for people) or json (one object per report, for scripts); "
                    + "default: ${DEFAULT-VALUE}.")
    Output output;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws InterruptedException {
        if (top < 0) {
            throw new UserInputException("--top " + top + ": must be 0 (all) or more");
        }
        if (count < 0) {
            throw new UserInputException("--count " + count + ": must be 0 (no limit) or more");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ListenerWalker walker = ListenerWalker.load(); DeferAcceptCounter deferred = DeferAcceptCounter.start()) {
            ListenerScan scan = new ListenerScan(walker, deferred::read);
            List<Listener> before = scan.scan();
            int reports = 0;
            do {
                long started = System.nanoTime();
                Thread.sleep(interval.toMillis());
                List<Listener> after = scan.scan();
                // The real time between the walks: a slow walk must not inflate the rate.
                Duration measured = Duration.ofNanos(System.nanoTime() - started);
                out.print(report(ListenerDropRate.between(before, after, measured),
                        after.size(), after.stream().mapToLong(l -> l.socket().netns()).distinct().count(), measured,
                        deferred.unavailable() == null));
                out.flush();
                before = after;
                reports++;
            } while (watch && (count == 0 || reports < count));
        }
        return 0;
    }

    private String report(List<ListenerDropRate> rates, int seen, long namespaces, Duration measured,
                          boolean deferCounted) {
        List<ListenerDropRate> shown = top == 0 || rates.size() <= top ? rates : rates.subList(0, top);
        if (output == Output.json) {
            return ListenDropsJson.render(shown, seen, namespaces, measured, deferCounted);
        }
        return ListenDropsTable.render(shown, seen, namespaces, measured, deferCounted) + (watch ? "\n" : "");
    }
}
