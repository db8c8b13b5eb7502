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
    /** The subcommands of `udp-limit`, likewise registered on demand (its annotation lists none). */
    static final List<String> UDP_LIMIT_SUBCOMMANDS = List.of("attach", "detach", "set", "status");

    /** Root options that print and exit without looking at any subcommand. */
    private static final Set<String> ROOT_ONLY = Set.of("-V", "--version");

    /** A command by its path below the root. A switch, not a map of constructor references: a lambda per command costs start-up time too. */
    static Object subcommand(String path) {
        return switch (path) {
            case "run" -> new RunCommand();
            case "check" -> new CheckCommand();
            case "probe" -> new ProbeCommand();
            case "cleanup" -> new CleanupCommand();
            case "listen-drops" -> new ListenDropsCommand();
            case "udp-limit" -> new UdpLimitCommand();
            case "udp-limit attach" -> new UdpLimitAttachCommand();
            case "udp-limit detach" -> new UdpLimitDetachCommand();
            case "udp-limit set" -> new UdpLimitSetCommand();
            case "udp-limit status" -> new UdpLimitStatusCommand();
            case "xdpcap" -> new XdpcapCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + path);
        };
    }

    /** The names of the subcommands of the command at {@code path} ("" is the root). */
    static List<String> subcommandsOf(String path) {
        return switch (path) {
            case "" -> SUBCOMMANDS;
            case "udp-limit" -> UDP_LIMIT_SUBCOMMANDS;
            default -> List.of();
        };
    }

    /** The command line with every subcommand and bpfwatch's error handling. */
    public static CommandLine commandLine() {
        return withHandlers(build("", new BpfwatchCommand(), null));
    }

    /**
     * The command line {@code args} need: at each level the one subcommand they name, none for
     * a bare {@code --version}, all of them otherwise (usage help listing them, `help CMD`, a
     * mistyped name that gets "did you mean"). Parsing and output are the same as
     * {@link #commandLine()}'s.
     */
    public static CommandLine commandLineFor(String... args) {
        if (isVersionQuery(args)) {
            return withHandlers(new CommandLine(new BpfwatchCommand()));
        }
        return withHandlers(build("", new BpfwatchCommand(), List.of(args)));
    }

    /** A bare `bpfwatch --version` (or -V): printed without any subcommand. */
    static boolean isVersionQuery(String... args) {
        return args.length == 1 && ROOT_ONLY.contains(args[0]);
    }

    /** {@code command} with the subcommands {@code args} name (all of them when {@code args} is null). */
    private static CommandLine build(String path, Object command, List<String> args) {
        CommandLine cl = new CommandLine(command);
        List<String> names = subcommandsOf(path);
        List<String> rest = null;
        if (args != null) {
            int at = firstPositional(args);
            if (at >= 0 && names.contains(args.get(at)) && !args.get(at).equals("help")) {
                names = List.of(args.get(at));
                rest = args.subList(at + 1, args.size());
            }
        }
        for (String name : names) {
            String childPath = path.isEmpty() ? name : path + " " + name;
            cl.addSubcommand(name, build(childPath, subcommand(childPath), rest));
        }
        return cl;
    }

    private static int firstPositional(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            if (!args.get(i).startsWith("-")) {
                return i;
            }
        }
        return -1;
    }

    /** One line per error, stack only with --debug. Set after the subcommands are added so they inherit it. */
    private static CommandLine withHandlers(CommandLine cl) {
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new FlagErrorHandler());
        return cl;
    }
}
