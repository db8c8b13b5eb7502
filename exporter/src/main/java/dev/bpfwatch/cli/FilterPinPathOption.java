package dev.bpfwatch.cli;

import dev.bpfwatch.ratelimit.FilterPins;
import picocli.CommandLine.Option;

/**
 * --bpf.pin-path of the udp-limit commands: filters pin under DIR/udp-limit,
 * so one pin path (the one `run` and `cleanup` are given) holds everything
 * bpfwatch pins.
 */
final class FilterPinPathOption {
    @Option(names = "--bpf.pin-path", defaultValue = "/sys/fs/bpf/bpfwatch", paramLabel = "DIR",
            description = "Filters are pinned under DIR/udp-limit; give `run` and `cleanup` the same DIR "
                    + "(default: ${DEFAULT-VALUE}).")
    String pinPath;

    /** Checks the flag (inside /sys/fs/bpf) and points this process's filter pins at it. */
    void apply() {
        FilterPins.useRoot(PinPath.inside(pinPath));
    }
}
