package dev.bpfwatch.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A UDP receiver in another process that is not a JVM (a few lines of
 * Python): the socket `udp-limit attach --pid` reaches through pidfd_getfd,
 * at the cost of an interpreter rather than a second JVM, which matters in
 * the kernel matrix's emulated guests. Bound to 0.0.0.0 on an ephemeral port;
 * {@link #drain} hands back the payloads it received since the last call.
 */
public final class ForeignUdpReceiver implements AutoCloseable {
    private static final String SCRIPT = String.join("\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.bind(('0.0.0.0', 0))",
            "print('READY', s.getsockname()[1], flush=True)",
            "for line in sys.stdin:",
            "    s.settimeout(float(line.split()[1]))",
            "    got = []",
            "    try:",
            "        while True:",
            "            got.append(s.recv(2048).decode())",
            "    except socket.timeout:",
            "        pass",
            "    print('GOT', ' '.join(got), flush=True)",
            "");

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final int port;

    private ForeignUdpReceiver(Process process) throws IOException {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        String ready = out.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            throw new IllegalStateException("python receiver did not start: " + ready);
        }
        this.port = Integer.parseInt(ready.substring(6).trim());
    }

    public static ForeignUdpReceiver start() {
        // The distribution's interpreter where there is one: a version manager's shim is a shell script.
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        try {
            return new ForeignUdpReceiver(new ProcessBuilder(python, "-c", SCRIPT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** Payloads received since the last drain, once nothing has arrived for {@code quietMillis}. */
    public List<String> drain(long quietMillis) {
        in.println("drain " + quietMillis / 1000.0);
        try {
            String line = out.readLine();
            if (line == null || !line.startsWith("GOT")) {
                throw new IllegalStateException("python receiver answered " + line);
            }
            String payloads = line.substring(3).trim();
            return payloads.isEmpty() ? List.of() : Arrays.asList(payloads.split(" "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        in.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
