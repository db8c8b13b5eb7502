package dev.bpfwatch.libbpf;

import java.util.List;

/**
 * The kernel refused to load a program. The message holds the verifier's own
 * complaint (the last lines of its log); {@link #verifierLog()} holds it whole.
 */
public final class VerifierException extends LibbpfException {
    private final String program;
    private final String verifierLog;

    VerifierException(String object, String program, int errno, String verifierLog) {
        super("load " + object + (program == null ? "" : " program " + program), errno, complaint(verifierLog));
        this.program = program;
        this.verifierLog = verifierLog;
    }

    /** The program the kernel refused, when libbpf said which. */
    public String program() {
        return program;
    }

    public String verifierLog() {
        return verifierLog;
    }

    /**
     * The verifier's reason alone: its last line before the statistics
     * (e.g. "BPF_STX uses reserved fields" for an instruction the kernel does
     * not know), or null when it left no log.
     */
    public String reason() {
        List<String> lines = reasonLines(verifierLog);
        return lines.isEmpty() ? null : lines.get(lines.size() - 1);
    }

    /** The verifier puts its reason last, before the processed-insns summary. */
    static String complaint(String log) {
        List<String> lines = reasonLines(log);
        if (lines.isEmpty()) {
            return null;
        }
        int from = Math.max(0, lines.size() - 2);
        return String.join(" / ", lines.subList(from, lines.size()));
    }

    /** The log without blank lines and the statistics verifiers append (BPF_LOG_STATS adds time and stack depth). */
    private static List<String> reasonLines(String log) {
        if (log == null || log.isBlank()) {
            return List.of();
        }
        return log.lines().map(String::strip)
                .filter(l -> !l.isEmpty())
                .filter(l -> !l.startsWith("processed ") && !l.startsWith("-- ")
                        && !l.startsWith("verification time ") && !l.startsWith("stack depth "))
                .toList();
    }
}
