package dev.bpfwatch.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Log lines as Main formats them, less the timestamp (--log.no-timestamps):
 * journald and most log collectors stamp each line themselves.
 */
final class UntimedLogLines extends Formatter {
    /** Puts this format on every handler of the root logger (where the console handler lives). */
    static void install() {
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(new UntimedLogLines());
        }
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder line = new StringBuilder()
                .append(r.getLevel().getLocalizedName()).append(' ')
                .append(r.getLoggerName()).append(": ")
                .append(formatMessage(r));
        if (r.getThrown() != null) {
            StringWriter stack = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(stack));
            line.append(System.lineSeparator()).append(stack.toString().stripTrailing());
        }
        return line.append(System.lineSeparator()).toString();
    }
}
