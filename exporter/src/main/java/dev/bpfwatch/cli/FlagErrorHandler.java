package dev.bpfwatch.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A wrong flag is one line, with picocli's suggestions when it has some,
 * and a pointer to --help: picocli's default printed the whole usage (9 to
 * 56 lines) after the message, burying it, as no Go exporter does.
 */
final class FlagErrorHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String suggestions = "";
        if (e instanceof UnmatchedArgumentException u) {
            List<String> s = u.getSuggestions();
            if (!s.isEmpty()) {
                suggestions = " (did you mean " + String.join(", ", s.subList(0, Math.min(3, s.size()))) + "?)";
            }
        }
        String command = cl.getCommandSpec().qualifiedName();
        err.println("bpfwatch: " + e.getMessage() + suggestions + "; see '" + command + " --help'");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }
}
