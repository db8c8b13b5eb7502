package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.Curl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --web.listen-address=fd://0: the agent serves on the listening socket
 * systemd passes (socket activation), here by systemd's own
 * systemd-socket-activate, which listens, and on the first connection
 * starts the agent with the socket as fd 3 and LISTEN_FDS/LISTEN_PID set.
 * The connection that woke it is answered.
 */
class SocketActivationTest {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void servesOnThePassedSocket() throws Exception {
        int port = freePort();
        Path log = dir.resolve("agent.log");
        Process p = new ProcessBuilder("systemd-socket-activate", "-l", "127.0.0.1:" + port,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.bpfwatch.cli.Main", "run",
                "--web.listen-address=fd://0", "--config.names=kfree_skb_drops", "--bpf.pin-path=")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // systemd-socket-activate listens at once; the agent starts on this first connection.
            Curl c = null;
            for (int i = 0; i < 50 && (c == null || c.exit() == 7); i++) {
                if (c != null) {
                    Thread.sleep(100); // not listening yet (curl: connection refused)
                }
                c = Curl.get("http://127.0.0.1:" + port + "/metrics", "--max-time", "60");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(200, c.status(), Curl.describe(c) + "\n" + output);
            assertTrue(c.body().contains("bpfwatch_enabled_configs{name=\"kfree_skb_drops\",} 1.0"), c.body());
            assertTrue(output.contains("bpfwatch: serving on http://127.0.0.1:" + port + " "), output);
            Curl again = Curl.get("http://127.0.0.1:" + port + "/-/healthy");
            assertEquals(200, again.status(), Curl.describe(again));
        } finally {
            p.destroy(); // SIGTERM: systemd-socket-activate exec'd the agent, so it is this process
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertEquals(0, p.exitValue(), Files.readString(log));
    }

    @Test
    void withoutAPassedSocketItIsBadInput() {
        for (List<String> args : List.of(List.of("--web.listen-address=fd://0"), List.of("--web.listen-address=fd://x"))) {
            CliRun run = CliRun.of("run", args.get(0), "--bpf.pin-path=");
            assertEquals(2, run.exit(), run.toString());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertTrue(run.err().contains("--web.listen-address " + args.get(0).substring(21) + ": "), run.err());
        }
    }
}
