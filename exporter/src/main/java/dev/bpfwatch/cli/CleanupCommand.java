package dev.bpfwatch.cli;

import dev.bpfwatch.agent.Pins;
import dev.bpfwatch.libbpf.DirectoryLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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
                "1:a pin could not be removed, or a running agent holds --bpf.pin-path (nothing removed)",
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
        List<Path> removed;
        // The agent holds this lock for its life (PinPathLock): taking it here both finds a running
        // agent, whose pins must not vanish under it, and keeps one from starting while we remove.
        Optional<DirectoryLock> lock = Files.isDirectory(pinPath) ? DirectoryLock.tryExclusive(pinPath)
                : Optional.empty();
        if (Files.isDirectory(pinPath) && lock.isEmpty()) {
            OptionalLong pid = DirectoryLock.holder(pinPath);
            throw new PinPathInUseException("--bpf.pin-path " + pinPath + " is in use by a running bpfwatch (pid "
                    + (pid.isPresent() ? Long.toString(pid.getAsLong()) : "unknown")
                    + "); stop it before cleanup, nothing removed");
        }
        try {
            removed = Pins.removeAll(pinPath);
        } finally {
            lock.ifPresent(DirectoryLock::close);
        }
        removed.forEach(p -> spec.commandLine().getOut().println("removed " + p));
        spec.commandLine().getOut().println("bpfwatch: " + removed.size() + " pin(s) removed under " + pinPath);
        spec.commandLine().getOut().flush();
        return 0;
    }
}

/** cleanup found the pin path locked by a running agent: a run-time refusal (exit 1), not bad input. */
final class PinPathInUseException extends RuntimeException {
    PinPathInUseException(String message) {
        super(message);
    }
}
