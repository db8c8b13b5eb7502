package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Main registers only the subcommand a command line names (start-up time); what the user
 * sees must not change: the same output and exit code as with every subcommand registered.
 */
class SubcommandRegistrationTest {
    @Test
    void theListOfNamesIsEveryCommandsOwnName() {
        for (String group : List.of("", "udp-limit")) {
            for (String name : BpfwatchCommand.subcommandsOf(group)) {
                Object command = BpfwatchCommand.subcommand(group.isEmpty() ? name : group + " " + name);
                assertEquals(name, new CommandLine(command).getCommandName(), command.getClass().getName());
            }
        }
        CommandLine full = BpfwatchCommand.commandLine();
        assertEquals(BpfwatchCommand.SUBCOMMANDS, List.copyOf(full.getSubcommands().keySet()));
        assertEquals(BpfwatchCommand.UDP_LIMIT_SUBCOMMANDS,
                List.copyOf(full.getSubcommands().get("udp-limit").getSubcommands().keySet()));
    }

    @Test
    void aNamedSubcommandIsRegisteredAloneAndABareVersionQueryNeedsNone() {
        CommandLine status = BpfwatchCommand.commandLineFor("udp-limit", "status", "--name", "dns");
        assertEquals(Set.of("udp-limit"), status.getSubcommands().keySet());
        assertEquals(Set.of("status"), status.getSubcommands().get("udp-limit").getSubcommands().keySet());
        assertEquals(BpfwatchCommand.UDP_LIMIT_SUBCOMMANDS.size(), BpfwatchCommand.commandLineFor("udp-limit", "--help")
                .getSubcommands().get("udp-limit").getSubcommands().size());
        assertEquals(Set.of("run"), BpfwatchCommand.commandLineFor("run", "--bpf.stats").getSubcommands().keySet());
        assertEquals(Set.of(), BpfwatchCommand.commandLineFor("--version").getSubcommands().keySet());
        // help CMD, a mistyped name ("did you mean"), root help: all of them
        for (List<String> args : List.of(List.of("help", "run"), List.of("rnu"), List.of("--help"), List.<String>of())) {
            assertEquals(BpfwatchCommand.SUBCOMMANDS.size(),
                    BpfwatchCommand.commandLineFor(args.toArray(String[]::new)).getSubcommands().size(), args.toString());
        }
    }

    @Test
    void outputAndExitCodeAreThoseOfTheFullCommandLine() {
        List<List<String>> lines = List.of(
                List.of("--version"), List.of("-V"), List.of("--help"), List.of(), List.of("rnu"),
                List.of("help", "udp-limit"), List.of("udp-limit", "stat"), List.of("udp-limit", "status", "--help"),
                List.of("udp-limit"), List.of("udp-limit", "--help"), List.of("udp-limit", "status", "--top=x"),
                List.of("udp-limit", "attach", "--help"), List.of("udp-limit", "set", "--rate=-1"),
                List.of("run", "--web.listen-adress=:1"), List.of("listen-drops", "--interval=x"),
                List.of("--version", "run"));
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            assertEquals(execute(BpfwatchCommand.commandLine(), args), execute(BpfwatchCommand.commandLineFor(args), args),
                    String.join(" ", line));
        }
    }

    private static String execute(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return "exit " + exit + "\nout:\n" + out + "\nerr:\n" + err;
    }
}
