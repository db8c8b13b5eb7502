package dev.bpfwatch.cli;

import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The root command only groups the others. Subcommands are registered in code, not in the
 * annotation: picocli builds the model of every registered command by reflection before it
 * parses anything, and for a short command (`--version`, `udp-limit status`) building the
 * other commands' models was most of the JVM's start-up (see bench/cli-startup.sh).
 */
@Command(name = "bpfwatch",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "eBPF networking agent: kernel drop reasons, per-application TCP listen drops "
                + "and per-destination-IP UDP rate limits, served to Prometheus.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:failure at run time (kernel refused, port busy)",
                "2:bad input (flags, config, missing object)"})
public final class BpfwatchCommand {
    /** Every subcommand's @Command name, in the order the usage help lists them. */
    static final List<String> SUBCOMMANDS =
            List.of("run", "check", "probe", "cleanup", "listen-drops", "udp-limit", "xdpcap", "help");

    /** Root options that print and exit without looking at any subcommand. */
    private static final Set<String> ROOT_ONLY = Set.of("-V", "--version");

    /** A switch, not a map of constructor references: a lambda per command costs start-up time too. */
    static Object subcommand(String name) {
        return switch (name) {
            case "run" -> new RunCommand();
            case "check" -> new CheckCommand();
            case "probe" -> new ProbeCommand();
            case "cleanup" -> new CleanupCommand();
            case "listen-drops" -> new ListenDropsCommand();
            case "udp-limit" -> new UdpLimitCommand();
            case "xdpcap" -> new XdpcapCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /** The command line with every subcommand and bpfwatch's error handling. */
    public static CommandLine commandLine() {
        return withHandlers(root(SUBCOMMANDS));
    }

    /**
     * The command line {@code args} need: the one subcommand they name, none for a bare
     * {@code --version}, all of them otherwise (root usage help, `help CMD`, a mistyped name
     * that gets "did you mean"). Parsing and output are the same as {@link #commandLine()}'s.
     */
    public static CommandLine commandLineFor(String... args) {
        if (isVersionQuery(args)) {
            return withHandlers(root(List.of()));
        }
        for (String a : args) {
            if (!a.startsWith("-")) {
                boolean single = SUBCOMMANDS.contains(a) && !a.equals("help");
                return withHandlers(root(single ? List.of(a) : SUBCOMMANDS));
            }
        }
        return commandLine();
    }

    /** A bare `bpfwatch --version` (or -V): printed without any subcommand. */
    static boolean isVersionQuery(String... args) {
        return args.length == 1 && ROOT_ONLY.contains(args[0]);
    }

    private static CommandLine root(List<String> names) {
        CommandLine cl = new CommandLine(new BpfwatchCommand());
        for (String name : names) {
            cl.addSubcommand(name, subcommand(name));
        }
        return cl;
    }

    /** One line per error, stack only with --debug. Set after the subcommands are added so they inherit it. */
    private static CommandLine withHandlers(CommandLine cl) {
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new FlagErrorHandler());
        return cl;
    }
}
