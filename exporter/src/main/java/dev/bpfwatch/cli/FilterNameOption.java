package dev.bpfwatch.cli;

import picocli.CommandLine.Option;

/** --name of the UDP rate-limit filter that attach, detach and set act on. */
final class FilterNameOption {
    @Option(names = "--name", defaultValue = "default", description = "Filter name (default: ${DEFAULT-VALUE}).")
    String name;
}
