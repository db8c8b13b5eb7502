package dev.bpfwatch.capture;

import dev.bpfwatch.testing.Command;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's tcpdump reading a capture file: the reference the tests compare with. */
final class Tcpdump {
    /** With -tt, a packet's first line starts with its epoch time. */
    private static final Pattern PACKET_LINE = Pattern.compile("^(\\d+)\\.\\d+ ");

    private Tcpdump() {
    }

    /**
     * The packets in {@code file} that {@code expression} selects, by their
     * time in whole seconds after {@code epochSecond}: tcpdump's -# counts
     * printed packets, not the file's, so the tests number packets by time.
     */
    static List<Integer> select(Path file, long epochSecond, String expression) {
        List<String> cmd = new ArrayList<>(List.of("tcpdump", "-r", file.toString(), "-nn", "-tt"));
        if (!expression.isEmpty()) {
            cmd.add("--"); // "-ip[8] ..." is an expression, not options
            cmd.add(expression);
        }
        Command c = Command.run(cmd);
        if (c.exit() != 0) {
            throw new IllegalStateException("tcpdump '" + expression + "' exited " + c.exit() + ": " + c.err());
        }
        List<Integer> out = new ArrayList<>();
        for (String line : c.out().split("\n")) {
            Matcher m = PACKET_LINE.matcher(line);
            if (m.find()) {
                out.add((int) (Long.parseLong(m.group(1)) - epochSecond));
            }
        }
        return out;
    }

    static Command read(Path file, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("tcpdump", "-r", file.toString(), "-nn"));
        cmd.addAll(List.of(extra));
        return Command.run(cmd);
    }
}
