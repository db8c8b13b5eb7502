package dev.bpfwatch.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

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

    private final ChildProcess child;
    private final int port;

    private ForeignUdpReceiver(ChildProcess child) {
        this.child = child;
        this.port = Integer.parseInt(child.await("READY "));
    }

    public static ForeignUdpReceiver start() {
        // The distribution's interpreter where there is one: a version manager's shim is a shell script.
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        ChildProcess child = ChildProcess.command(List.of(python, "-c", SCRIPT));
        try {
            return new ForeignUdpReceiver(child);
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
    }

    public long pid() {
        return child.pid();
    }

    public int port() {
        return port;
    }

    /** Payloads received since the last drain, once nothing has arrived for {@code quietMillis}. */
    public List<String> drain(long quietMillis) {
        child.send("drain " + quietMillis / 1000.0);
        String payloads = child.await("GOT");
        return payloads.isEmpty() ? List.of() : Arrays.asList(payloads.split(" "));
    }

    @Override
    public void close() {
        child.close();
    }
}
