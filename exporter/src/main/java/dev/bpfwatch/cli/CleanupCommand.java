package dev.bpfwatch.cli;

import dev.bpfwatch.agent.Pins;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = "Remove everything bpfwatch pinned in bpffs: exporter maps (counters start from zero "
                + "next run) and UDP rate-limit filter pins (filters stay on their sockets, but status, set "
                + "and detach can no longer find them). Use after a crash or before uninstalling.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:pins removed (or there were none)",
                "1:a pin could not be removed",
                "2:bad input (--bpf.pin-path not inside /sys/fs/bpf once .. and links are resolved; nothing removed)"})
final class CleanupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bpf.pin-path", defaultValue = "/sys/fs/bpf/bpfwatch", paramLabel = "DIR",
            description = "Where bpfwatch pins (default: ${DEFAULT-VALUE}).")
    String pinPathFlag;

    @Override
    public Integer call() {
        Path pinPath = PinPath.inside(pinPathFlag);
        List<Path> removed = Pins.removeAll(pinPath);
        removed.forEach(p -> spec.commandLine().getOut().println("removed " + p));
        spec.commandLine().getOut().println("bpfwatch: " + removed.size() + " pin(s) removed under " + pinPath);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
