package dev.bpfwatch.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test makes (`ip netns add`, loopback up) and the
 * processes it runs inside; closing kills them and deletes the namespace.
 * Traffic stays inside: its counters (TcpExtListenDrops) are the test's alone.
 */
public final class TestNetns implements AutoCloseable {
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private final String name;
    private final List<Process> processes = new ArrayList<>();

    private TestNetns(String name) {
        this.name = name;
    }

    public static TestNetns create() {
        String name = "bpfwatch-t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        run("ip", "netns", "add", name);
        TestNetns ns = new TestNetns(name);
        try {
            run("ip", "-n", name, "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** The namespace's inode: what bpfwatch labels it with. */
    public long inode() {
        try {
            return ((Number) Files.getAttribute(Path.of("/run/netns", name), "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a Python program inside the namespace whose process name
     * (comm) is {@code comm}, and waits for its first line of output.
     */
    public Started python(String comm, String shellPrefix, String code) {
        String prelude = "import ctypes\nctypes.CDLL(None).prctl(15, b'" + comm + "', 0, 0, 0)\n";
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        if (shellPrefix != null) {
            // e.g. "ulimit -n 20000": exec keeps the pid, so the test still knows the process.
            cmd.addAll(List.of("sh", "-c", shellPrefix + " && exec \"$0\" -c \"$1\"", PYTHON, prelude + code));
        } else {
            cmd.addAll(List.of(PYTHON, "-c", prelude + code));
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            processes.add(p);
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            if (first == null) {
                throw new IllegalStateException(comm + " ended before it was ready (exit " + p.waitFor() + ")");
            }
            return new Started(p, first.strip(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A TCP listener with backlog {@code backlog} on host:0 that accepts (and closes) every connection, or never. */
    public Started listener(String comm, String host, int backlog, boolean accepts) {
        String family = host.contains(":") ? "socket.AF_INET6" : "socket.AF_INET";
        String code = "import socket, time\n"
                + "s = socket.socket(" + family + ", socket.SOCK_STREAM)\n"
                + "s.bind(('" + host + "', 0))\n"
                + "s.listen(" + backlog + ")\n"
                + "print(s.getsockname()[1], flush=True)\n"
                + (accepts ? "while True:\n    c, _ = s.accept()\n    c.close()\n" : "time.sleep(100000)\n");
        return python(comm, null, code);
    }

    /**
     * Opens {@code connections} non-blocking connections to host:port from
     * inside the namespace, keeps them {@code holdSeconds}, closes them and ends.
     */
    public void flood(String host, int port, int connections, double holdSeconds) {
        String family = host.contains(":") ? "socket.AF_INET6" : "socket.AF_INET";
        String code = "import socket, time\n"
                + "cs = []\n"
                + "for i in range(" + connections + "):\n"
                + "    c = socket.socket(" + family + ", socket.SOCK_STREAM)\n"
                + "    c.setblocking(False)\n"
                + "    c.connect_ex(('" + host + "', " + port + "))\n"
                + "    cs.append(c)\n"
                + "print('sent', flush=True)\n"
                + "time.sleep(" + holdSeconds + ")\n"
                + "for c in cs:\n    c.close()\n";
        Started s = python("flood", null, code);
        try {
            if (!s.process().waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("flood did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends {@code count} one-byte UDP datagrams to 127.0.0.1:port inside the
     * namespace, each from a fresh socket (on one connected socket the
     * port-unreachable answer to a datagram fails the next send), and waits.
     */
    public void sendUdp(int port, int count) {
        run("nsenter", "--net=/run/netns/" + name, "bash", "-c",
                "for i in $(seq " + count + "); do printf x > /dev/udp/127.0.0.1/" + port + "; done");
    }

    /** A counter of /proc/net/netstat or /proc/net/snmp as seen inside the namespace (nstat -a). */
    public long nstat(String counter) {
        String out = run("ip", "netns", "exec", name, "nstat", "-asz", counter);
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(counter)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new IllegalStateException("nstat has no " + counter + ": " + out);
    }

    /** Reads the counter until it stops moving (retransmitted SYNs land up to seconds later). */
    public long settledNstat(String counter) {
        long last = nstat(counter);
        for (int i = 0; i < 40; i++) {
            sleep(500);
            long now = nstat(counter);
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        try {
            run("ip", "netns", "del", name);
        } catch (RuntimeException e) {
            // already gone
        }
    }

    public static String run(String... cmd) {
        return Command.ok(cmd).out();
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A process started in the namespace, with its first line of output. */
    public record Started(Process process, String firstLine, BufferedReader rest) {
        public int pid() {
            return (int) process.pid();
        }

        public int port() {
            return Integer.parseInt(firstLine);
        }
    }
}
