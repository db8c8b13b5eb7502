package dev.bpfwatch.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A receiver process for tests that need the socket in another process (or
 * in a network namespace: run under `ip netns exec`). Prints
 * "READY pid port", then for each line "go FLOOD_DST LEGIT_DST MILLIS PPS"
 * runs a round and prints "RESULT floodSent legitSent floodNanos floodRecv legitRecv".
 */
public final class FloodMain {
    private FloodMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean ipv6 = args.length > 0 && args[0].equals("ipv6");
        try (UdpReceiver receiver = UdpReceiver.open(ipv6)) {
            System.out.println("READY " + ProcessHandle.current().pid() + " " + receiver.port());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.trim().split(" ");
                if (!f[0].equals("go")) {
                    continue;
                }
                UdpFlood.Sent sent = UdpFlood.run(f[1], f[2], receiver.port(), Long.parseLong(f[3]),
                        Integer.parseInt(f[4]));
                receiver.awaitQuiet();
                long[] got = receiver.takeCounts();
                System.out.println("RESULT " + sent.format() + " " + got[0] + " " + got[1]);
                System.out.flush();
            }
        }
    }
}
