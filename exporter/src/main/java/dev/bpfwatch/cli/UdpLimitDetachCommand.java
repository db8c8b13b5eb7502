package dev.bpfwatch.cli;

import dev.bpfwatch.ratelimit.Attachment;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.UdpRateLimiter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "detach", mixinStandardHelpOptions = true,
        description = {"Take a filter off the sockets it was attached to (SO_DETACH_BPF). When none is left, "
                + "its pins are removed too, unless --keep-pins.",
                "Only a socket that carries this filter now (its program id, read from the kernel) is touched: "
                        + "one that carries another filter keeps it."},
        footerHeading = "%nExamples:%n",
        footer = {"  bpfwatch udp-limit detach --name dns",
                "  bpfwatch udp-limit detach --name dns --pid 1234 --keep-pins"})
final class UdpLimitDetachCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    FilterNameOption filter;

    @Option(names = "--pid", description = "Only the sockets of this process.")
    Long pid;

    @Option(names = "--keep-pins", description = "Keep program, maps and counts pinned for a later attach.")
    boolean keepPins;

    @Mixin
    FilterPinPathOption pins;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        pins.apply();
        List<UdpRateLimiter.Detached> removed = UdpLimitErrors.run(() -> {
            FilterPins.checkName(filter.name);
            return UdpRateLimiter.detach(filter.name, pid, keepPins);
        });
        for (UdpRateLimiter.Detached d : removed) {
            Attachment a = d.attachment();
            switch (d.outcome()) {
                case DETACHED -> spec.commandLine().getOut().printf("detached %s from pid %d fd %d port %d%n",
                        filter.name, a.pid(), a.fd(), a.port());
                case GONE -> spec.commandLine().getOut().printf("forgot pid %d fd %d port %d: socket gone (%s)%n",
                        a.pid(), a.fd(), a.port(), d.detail());
                case NOT_OURS -> spec.commandLine().getOut().printf(
                        "forgot pid %d fd %d port %d: %s is not on that socket any more: %s%n",
                        a.pid(), a.fd(), a.port(), filter.name, d.detail());
            }
        }
        if (!FilterPins.exists(filter.name)) {
            spec.commandLine().getOut().printf("removed %s%n", FilterPins.dir(filter.name));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
