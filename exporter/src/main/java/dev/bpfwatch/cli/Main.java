package dev.bpfwatch.cli;

import dev.bpfwatch.libbpf.NativeBinding;

/** Entry point: picocli, with a shortcut for a bare version query. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (BpfwatchCommand.isVersionQuery(args)) {
            // picocli would first build the root command's model by reflection (annotation
            // proxies, its built-in converters): most of this command's start-up, to print one line.
            for (String line : new VersionProvider().getVersion()) {
                System.out.println(line);
            }
            System.exit(0);
        }
        if (startsTheAgent(args)) {
            // Half a second of binding libbpf (jnr-ffi generating its stubs) on the second CPU
            // while picocli builds its model and the configs are read. Only for the agent, which
            // always binds: short commands that never touch libbpf would pay for it.
            NativeBinding.startInBackground();
        }
        // One line per log record, as operators grep journald.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        System.exit(BpfwatchCommand.commandLineFor(args).execute(args));
    }

    /** `run` (after any root options), not asking for help. */
    private static boolean startsTheAgent(String[] args) {
        boolean run = false;
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("help")) {
                return false;
            }
            if (!run && !a.startsWith("-")) {
                if (!a.equals("run")) {
                    return false;
                }
                run = true;
            }
        }
        return run;
    }
}
