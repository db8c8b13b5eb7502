package dev.bpfwatch.cli;

import dev.bpfwatch.ratelimit.Attachment;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.RateLimit;
import dev.bpfwatch.ratelimit.SocketRef;
import dev.bpfwatch.ratelimit.UdpRateLimiter;
import dev.bpfwatch.ratelimit.UdpSockets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {"Attach a per-destination-IP rate limit to UDP sockets: those of process --pid "
                + "(--port picks among several), or with --port alone every UDP socket bound to that port in any "
                + "network namespace of the host.",
                "A socket that already carries another socket filter is refused (exit 2, naming it) unless --replace.",
                "Reattaching an existing --name reuses its pinned program and counts."},
        footerHeading = "%nExamples:%n",
        footer = {"  bpfwatch udp-limit attach --pid 1234 --port 53 --rate 1000 --burst 200 --name dns",
                "  bpfwatch udp-limit attach --port 53 --rate 1000 --name dns",
                "  bpfwatch udp-limit attach --port 53 --rate 1000 --name dns --follow   # and after restarts"})
final class UdpLimitAttachCommand implements Callable<Integer> {
    private record Attached(List<Attachment> attachments, RateLimit limit) {
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--pid", description = "Process whose UDP socket(s) get the filter.")
    Long pid;

    @Option(names = "--port", description = "Local UDP port of the socket(s).")
    Integer port;

    @Option(names = "--rate", required = true, description = "Packets per second per destination IP.")
    long rate;

    @Option(names = "--burst", description = "Packets a destination IP may send back to back after a quiet spell "
            + "(default: one second's worth, the --rate). A UDP_GRO socket gets up to 64 datagrams in one batch, "
            + "which needs that many tokens at once: keep --burst above it there.")
    Long burst;

    @Option(names = "--replace", description = "Put the filter on sockets that already carry another socket filter, "
            + "replacing it (without this flag they are refused and nothing is attached).")
    boolean replace;

    @Option(names = "--follow", description = "Keep sockets bound to --port protected: `bpfwatch run` puts the filter "
            + "on every new UDP socket on that port that carries no filter (in any network namespace), e.g. when "
            + "the server restarts; about one second after the socket appears.")
    boolean follow;

    @Mixin
    FilterNameOption filter;

    @Mixin
    FilterPinPathOption pins;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        pins.apply();
        Attached done = UdpLimitErrors.run(() -> {
            RateLimit limit = RateLimit.of(rate, burst != null ? burst : RateLimit.defaultBurst(rate));
            FilterPins.checkName(filter.name);
            if (port != null && (port < 1 || port > 65535)) {
                throw new IllegalArgumentException("--port must be 1-65535, got " + port);
            }
            if (follow && port == null) {
                throw new IllegalArgumentException("--follow needs --port: the port to keep protected");
            }
            List<SocketRef> targets;
            if (pid != null) {
                targets = UdpSockets.ofProcess(pid, port);
            } else if (port != null) {
                targets = UdpSockets.onPort(port);
            } else {
                throw new IllegalArgumentException("give --pid PID, --port PORT, or both");
            }
            return new Attached(UdpRateLimiter.attach(filter.name, targets, limit, replace, follow), limit);
        });
        for (Attachment a : done.attachments()) {
            spec.commandLine().getOut().printf("attached %s to pid %d fd %d port %d (%d pps, burst %d)%n",
                    filter.name, a.pid(), a.fd(), a.port(), done.limit().ratePps(), done.limit().burst());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
