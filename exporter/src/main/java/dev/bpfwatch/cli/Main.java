package dev.bpfwatch.cli;

/** Entry point: nothing here but picocli. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // One line per log record, as operators grep journald.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        System.exit(BpfwatchCommand.commandLine().execute(args));
    }
}
