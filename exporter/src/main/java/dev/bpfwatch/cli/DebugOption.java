package dev.bpfwatch.cli;

import picocli.CommandLine.Option;

/** --debug for every command that can fail; ErrorHandler reads it from the parse result. */
final class DebugOption {
    @Option(names = "--debug", description = "Print stack traces with errors.")
    boolean debug;
}
