package dev.bpfwatch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command only groups the others. */
@Command(name = "bpfwatch",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "eBPF networking agent: kernel drop reasons, per-application TCP listen drops "
                + "and per-destination-IP UDP rate limits, served to Prometheus.",
        subcommands = {RunCommand.class, CheckCommand.class, ProbeCommand.class, CleanupCommand.class, ListenDropsCommand.class,
                UdpLimitCommand.class, XdpcapCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:failure at run time (kernel refused, port busy)",
                "2:bad input (flags, config, missing object)"})
public final class BpfwatchCommand {

    /** The command line with bpfwatch's error handling: one line per error, stack only with --debug. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new BpfwatchCommand());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new FlagErrorHandler());
        return cl;
    }
}
