package dev.bpfwatch.cli;

import dev.bpfwatch.config.ConfigException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns an exception from a command into one line on stderr and an exit
 * code. The stack trace is for developers: only with --debug.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean debug = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"))
                || parsed.hasMatchedOption("--debug");
        cl.getErr().println("bpfwatch: " + message(e));
        if (debug) {
            e.printStackTrace(cl.getErr());
        }
        return e instanceof UserInputException || e instanceof ConfigException ? 2 : 1;
    }

    private static String message(Exception e) {
        // Our own exceptions are written for operators; others get their type for context.
        if (e.getClass().getName().startsWith("dev.bpfwatch.") || e instanceof UncheckedIOException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
