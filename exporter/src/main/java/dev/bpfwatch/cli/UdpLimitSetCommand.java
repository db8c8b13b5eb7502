package dev.bpfwatch.cli;

import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.PinnedFilter;
import dev.bpfwatch.ratelimit.Prefix;
import dev.bpfwatch.ratelimit.RateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "set", mixinStandardHelpOptions = true,
        description = "Change a filter's limits live: the program reads them on every packet, "
                + "so no reload and no re-attach.",
        footerHeading = "%nExamples:%n",
        footer = {"  bpfwatch udp-limit set --name dns --rate 500 --burst 100",
                "  bpfwatch udp-limit set --name dns --override 192.0.2.10/32=5000:500",
                "  bpfwatch udp-limit set --name dns --remove-override 192.0.2.10/32"})
final class UdpLimitSetCommand implements Callable<Integer> {
    private record PrefixLimit(Prefix prefix, RateLimit limit) {
    }

    @Spec
    CommandSpec spec;

    @Mixin
    FilterNameOption filter;

    @Option(names = "--rate", description = "New default packets per second per destination IP.")
    Long rate;

    @Option(names = "--burst", description = "New default burst.")
    Long burst;

    @Option(names = "--override", paramLabel = "PREFIX=RATE:BURST",
            description = "Limit for destinations in PREFIX (e.g. 127.0.0.2/32=100:10); longest prefix wins.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--remove-override", paramLabel = "PREFIX", description = "Drop the override for PREFIX.")
    List<String> removals = new ArrayList<>();

    @Mixin
    FilterPinPathOption pins;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        pins.apply();
        List<String> done = UdpLimitErrors.run(() -> {
            FilterPins.checkName(filter.name);
            // Parse everything before changing anything: one bad flag changes nothing.
            List<Prefix> remove = removals.stream().map(Prefix::parse).toList();
            List<PrefixLimit> add = new ArrayList<>();
            for (String o : overrides) {
                int eq = o.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("--override " + o + ": expected PREFIX=RATE:BURST");
                }
                add.add(new PrefixLimit(Prefix.parse(o.substring(0, eq)), RateLimit.parse(o.substring(eq + 1))));
            }
            if (rate == null && burst == null && add.isEmpty() && remove.isEmpty()) {
                throw new IllegalArgumentException("nothing to set: give --rate, --burst, --override or --remove-override");
            }
            List<String> out = new ArrayList<>();
            try (PinnedFilter f = PinnedFilter.open(filter.name)) {
                if (rate != null || burst != null) {
                    RateLimit now = f.defaultLimit();
                    RateLimit next = RateLimit.of(rate != null ? rate : now.ratePps(), burst != null ? burst : now.burst());
                    f.setDefault(next);
                    out.add("default: " + next);
                }
                for (PrefixLimit o : add) {
                    f.setOverride(o.prefix(), o.limit());
                    out.add("override " + o.prefix() + ": " + o.limit());
                }
                for (Prefix p : remove) {
                    out.add((f.removeOverride(p) ? "removed override " : "no override for ") + p);
                }
            }
            return out;
        });
        done.forEach(l -> spec.commandLine().getOut().println(filter.name + " " + l));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
