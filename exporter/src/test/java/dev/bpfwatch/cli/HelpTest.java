package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** `bpfwatch --help` and every subcommand's help: complete, and printed with exit code 0. */
class HelpTest {
    private static List<CommandLine> allCommands() {
        List<CommandLine> all = new ArrayList<>();
        collect(BpfwatchCommand.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        cl.getSubcommands().values().stream().filter(c -> !c.getCommandName().equals("help"))
                .forEach(c -> collect(c, into));
    }

    private static String path(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName(" ");
    }

    @Test
    void everyCommandPrintsItsHelpWithExitZero() {
        for (CommandLine cl : allCommands()) {
            List<String> args = new ArrayList<>(List.of(path(cl).split(" ")));
            args.remove(0); // "bpfwatch"
            args.add("--help");
            CommandLine root = BpfwatchCommand.commandLine();
            StringWriter out = new StringWriter();
            root.setOut(new PrintWriter(out, true));
            assertEquals(0, root.execute(args.toArray(String[]::new)), path(cl));
            String help = out.toString();
            assertTrue(help.startsWith("Usage: " + path(cl)), path(cl) + ":\n" + help);
            assertTrue(help.contains("Exit codes:"), path(cl) + " documents its exit codes:\n" + help);
        }
    }

    @Test
    void everyCommandOptionAndParameterIsDescribed() {
        int options = 0;
        for (CommandLine cl : allCommands()) {
            CommandSpec spec = cl.getCommandSpec();
            assertTrue(String.join(" ", spec.usageMessage().description()).strip().length() > 20,
                    path(cl) + " has a description");
            assertFalse(spec.usageMessage().exitCodeList().isEmpty(), path(cl) + " lists exit codes");
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec a : args) {
                if (a.hidden()) {
                    continue;
                }
                String d = String.join(" ", a.description()).strip();
                assertFalse(d.isEmpty(), path(cl) + " " + a + " has a description");
                options++;
            }
        }
        assertTrue(options > 30, "options checked: " + options);
    }

    @Test
    void runHelpNamesEveryFlagOfTheReadmeTable() {
        StringWriter out = new StringWriter();
        CommandLine root = BpfwatchCommand.commandLine();
        root.setOut(new PrintWriter(out, true));
        root.execute("run", "--help");
        for (String flag : List.of("--config.dir", "--config.names", "--config.strict", "--web.listen-address",
                "--web.telemetry-path", "--metrics.namespace", "--bpf.stats", "--debug")) {
            assertTrue(out.toString().contains(flag), flag);
        }
        assertTrue(out.toString().contains("CAP_BPF"), "run --help says which capabilities it needs");
    }
}
