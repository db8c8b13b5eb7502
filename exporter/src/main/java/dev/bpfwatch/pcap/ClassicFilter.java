package dev.bpfwatch.pcap;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A capture filter as the user gives it: a tcpdump expression, or a classic
 * BPF program already compiled, in tcpdump -ddd's numbers (the count, then
 * {@code code jt jf k} per instruction) separated by commas or newlines,
 * as xdpcap takes it: {@code 4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0}.
 */
public final class ClassicFilter {
    /** BPF_MAXINSNS: the kernel's (and libpcap's) limit on a classic program. */
    public static final int MAX_INSTRUCTIONS = 4096;
    private static final Pattern RAW = Pattern.compile("\\s*\\d+\\s*[,\\n][\\s\\S]*");
    private static final Pattern SEPARATOR = Pattern.compile("\\s*[,\\n]\\s*");

    private ClassicFilter() {
    }

    /** An empty expression matches everything, as tcpdump with no filter. */
    public static List<ClassicInstruction> of(String filter, int snaplen) {
        if (looksRaw(filter)) {
            return parseRaw(filter);
        }
        return FilterCompiler.compile(filter, snaplen);
    }

    /** A bare number then a separator: no tcpdump expression starts so, so malformed raw input gets raw's messages. */
    static boolean looksRaw(String filter) {
        return RAW.matcher(filter).matches();
    }

    /**
     * Parses raw cBPF; every number is checked against its field's width and
     * the count against the instructions that follow.
     *
     * @throws FilterException naming the first bad part
     */
    public static List<ClassicInstruction> parseRaw(String text) {
        String[] parts = SEPARATOR.split(text.strip());
        if (parts.length > 0 && parts[parts.length - 1].isEmpty()) {
            parts = java.util.Arrays.copyOf(parts, parts.length - 1);
        }
        long count = number(parts[0], "instruction count", 0xffffffffL, 0);
        if (count < 1 || count > MAX_INSTRUCTIONS) {
            throw new FilterException("raw filter: instruction count " + count + " is not between 1 and " + MAX_INSTRUCTIONS);
        }
        if (parts.length - 1 != count) {
            throw new FilterException("raw filter: count says " + count + " instructions, " + (parts.length - 1) + " follow");
        }
        List<ClassicInstruction> out = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String[] f = parts[i].split("\\s+");
            if (f.length != 4) {
                throw new FilterException("raw filter: instruction " + (i - 1) + " '" + parts[i]
                        + "' is not 'code jt jf k'");
            }
            out.add(new ClassicInstruction((int) number(f[0], "code", 0xffff, i - 1),
                    (int) number(f[1], "jt", 0xff, i - 1), (int) number(f[2], "jf", 0xff, i - 1),
                    number(f[3], "k", 0xffffffffL, i - 1)));
        }
        return out;
    }

    private static long number(String s, String field, long max, int index) {
        try {
            long v = Long.parseLong(s);
            if (v >= 0 && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // one message for both below
        }
        throw new FilterException("raw filter: instruction " + index + ": " + field + " '" + s
                + "' is not a number from 0 to " + max);
    }
}
