package dev.bpfwatch.testing;

import java.util.ArrayList;
import java.util.List;

/** Real curl against the agent, as an operator would check it: status, body, and how curl failed. */
public record Curl(int exit, int status, String body, String err, long millis) {

    /** curl with --max-time 5, so a server that hangs fails the test instead of stalling it. */
    public static Curl get(String url, String... options) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "5", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(options));
        cmd.add(url);
        Command c = Command.run(cmd);
        String out = c.out();
        int nl = out.lastIndexOf('\n');
        int status = 0;
        try {
            status = Integer.parseInt(out.substring(nl + 1).strip());
        } catch (NumberFormatException e) {
            // no status: curl failed before a response
        }
        return new Curl(c.exit(), status, nl >= 0 ? out.substring(0, nl) : "", c.err(), c.millis());
    }

    public static String describe(Curl c) {
        return "curl exit " + c.exit + ", status " + c.status + ", " + c.millis + " ms, stderr: " + c.err.strip();
    }
}
