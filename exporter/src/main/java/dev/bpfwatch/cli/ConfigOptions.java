package dev.bpfwatch.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The config-selection flags `run` and `check` share, in ebpf_exporter's style. */
final class ConfigOptions {
    @Option(names = "--config.dir", paramLabel = "DIR",
            description = "Directory of configs: NAME.yaml beside NAME.bpf.o. Default: the configs embedded in the jar.")
    Path dir;

    @Option(names = "--config.names", split = ",", paramLabel = "NAME",
            description = "Comma-separated configs to run (default: all in the directory).")
    List<String> names = new ArrayList<>();

    @Option(names = "--config.strict",
            description = "Any load or attach failure is fatal (default: logged, shown on / and in metrics).")
    boolean strict;
}
