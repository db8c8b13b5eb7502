package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.TestNetns;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `bpfwatch listen-drops` against a flooded listener in a namespace the test makes. */
class ListenDropsCommandTest {
    private static TestNetns ns;
    private static TestNetns.Started slow;
    private static long nstatDrops;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void floodASlowListener() {
        ns = TestNetns.create();
        slow = ns.listener("slowsrv", "127.0.0.1", 1, false);
        ns.flood("127.0.0.1", slow.port(), 40, 1.5);
        nstatDrops = ns.settledNstat("TcpExtListenDrops");
    }

    @AfterAll
    static void cleanUp() {
        ns.close();
        assertEquals(0, Bpftool.countOwnPrograms("dump_tcp_listeners"), "the command left no program behind");
        assertEquals(0, Bpftool.countOwnPrograms("count_socket_drop"), "nor its deferred-ACK counter");
    }

    private int run(String... args) {
        CommandLine cl = BpfwatchCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void textReportShowsTheSlowListenerWithItsApplicationAt80Columns() {
        assertEquals(0, run("listen-drops", "--interval", "200ms", "--top", "0"), err.toString());
        List<String> lines = out.toString().lines().toList();
        System.out.println(out.toString().lines().limit(6).reduce("", (a, b) -> a + b + "\n"));
        assertTrue(lines.get(0).contains("listeners in"), lines.get(0));
        assertTrue(lines.get(1).matches("\\s*DROPS\\s+DROP/S\\s+QUEUE\\s+NETNS\\s+LISTENER\\s+APPLICATION"), lines.get(1));
        String row = lines.stream().filter(l -> l.contains("127.0.0.1:" + slow.port() + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for the slow listener in:\n" + out));
        String[] f = row.trim().split("\\s+");
        assertEquals(Long.toString(nstatDrops), f[0], "drops column: " + row);
        assertTrue(f[2].endsWith("/1"), "queue current/max with backlog 1: " + row);
        String name = ns.name();
        assertEquals(name.length() <= 10 ? name : "~" + name.substring(name.length() - 9), f[3],
                "the namespace's `ip netns` name (its end): " + row);
        assertTrue(lines.contains(ListenDropsTable.LEGEND.get(0)), "a legend explains QUEUE: " + out);
        assertTrue(row.contains("slowsrv[" + slow.pid() + "]"), row);
        for (String l : lines) {
            assertTrue(l.length() <= 80, "wider than 80 columns: " + l);
        }
    }

    @Test
    void jsonReportCarriesTheSameNumbers() {
        assertEquals(0, run("listen-drops", "--interval", "200ms", "--top", "0", "--output", "json"), err.toString());
        String json = out.toString();
        assertEquals(1, json.lines().count(), "one object a report");
        assertTrue(json.startsWith("{\"interval_seconds\":"), json.substring(0, 60));
        String entry = Arrays.stream(json.split("\\},\\{"))
                .filter(e -> e.contains("\"netns\":" + ns.inode() + ",") && e.contains("\"port\":" + slow.port() + ","))
                .findFirst().orElseThrow(() -> new AssertionError("slow listener missing: " + json));
        assertEquals(Long.toString(nstatDrops), field(entry, "drops"));
        assertEquals("\"slowsrv\"", field(entry, "comm"));
        assertEquals(Integer.toString(slow.pid()), field(entry, "pid"));
        assertEquals("1", field(entry, "accept_queue_max"));
        assertEquals("\"127.0.0.1\"", field(entry, "address"));
        assertEquals("0", field(entry, "drops_in_interval"), "nothing floods it now");
        assertEquals("\"" + ns.name() + "\"", field(entry, "netns_name"));
        assertEquals("false", field(entry, "defer_accept"));
    }

    /**
     * TCP-connect health checks on a TCP_DEFER_ACCEPT listener during the
     * interval: their held-back ACKs are drops, but no full queue, so
     * drops_per_second (what the report sorts and alarms by) stays 0.
     */
    @Test
    void deferredAcceptHealthChecksDuringTheIntervalAreNotDropsPerSecond() throws Exception {
        int checks = 20;
        TestNetns.Started server = ns.python("defercli", null, "import socket, sys\n"
                + "s = socket.socket()\n"
                + "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 5)\n"
                + "s.bind(('127.0.0.1', 0))\n"
                + "s.listen(16)\n"
                + "port = s.getsockname()[1]\n"
                + "print(port, flush=True)\n"
                + "sys.stdin.readline()\n"
                + "for i in range(" + checks + "):\n"
                + "    c = socket.socket()\n"
                + "    c.connect(('127.0.0.1', port))\n"
                + "    c.close()\n"
                + "    a, _ = s.accept()\n"
                + "    a.close()\n"
                + "print('checked', flush=True)\n"
                + "sys.stdin.readline()\n");
        long deferredBefore = ns.nstat("TcpExtTCPDeferAcceptDrop");
        long listenDropsBefore = ns.nstat("TcpExtListenDrops");
        java.util.concurrent.CompletableFuture<Integer> cli = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> run("listen-drops", "--interval", "4s", "--top", "0", "-o", "json"));
        // The checks land in the middle of the interval: after the first walk, well before the second.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Bpftool.countOwnPrograms("count_socket_drop") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(1500);
        server.process().getOutputStream().write("go\n".getBytes());
        server.process().getOutputStream().flush();
        assertEquals("checked", server.rest().readLine());
        assertEquals(0, cli.get(60, java.util.concurrent.TimeUnit.SECONDS), err.toString());
        long deferred = ns.nstat("TcpExtTCPDeferAcceptDrop") - deferredBefore;
        long listenDrops = ns.nstat("TcpExtListenDrops") - listenDropsBefore;
        String json = out.toString();
        String entry = Arrays.stream(json.split("\\},\\{"))
                .filter(e -> e.contains("\"port\":" + server.port() + ","))
                .findFirst().orElseThrow(() -> new AssertionError("deferring listener missing: " + json));
        System.out.printf("listen-drops over %d health checks: nstat TCPDeferAcceptDrop +%d, ListenDrops +%d; %s%n",
                checks, deferred, listenDrops, entry);
        assertEquals(checks, deferred);
        assertEquals(0, listenDrops);
        assertEquals("true", field(entry, "defer_accept"));
        assertEquals(Integer.toString(checks), field(entry, "drops_in_interval"));
        boolean rxSk;
        try (dev.bpfwatch.libbpf.KernelBtf btf = dev.bpfwatch.libbpf.KernelBtf.load()) {
            rxSk = btf.structHasMember("trace_event_raw_kfree_skb", "rx_sk").orElse(false);
        }
        if (!rxSk) {
            assertEquals("null", field(entry, "defer_accept_drops_in_interval"), "cannot be told apart: unknown");
            return;
        }
        assertEquals(Integer.toString(checks), field(entry, "defer_accept_drops_in_interval"));
        assertEquals("0.000", field(entry, "drops_per_second"), "no full queue");
    }

    @Test
    void watchRepeatsForCountReports() {
        assertEquals(0, run("listen-drops", "--interval", "100ms", "--watch", "--count", "2", "-o", "json", "--top", "1"));
        assertEquals(2, out.toString().lines().count(), out.toString());
    }

    @Test
    void badIntervalIsExitTwo() {
        assertEquals(2, run("listen-drops", "--interval", "soon"));
        assertTrue(err.toString().contains("expected a duration like 500ms"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace");
    }

    @Test
    void negativeTopIsExitTwo() {
        assertEquals(2, run("listen-drops", "--top", "-1", "--interval", "1ms"));
        assertEquals("bpfwatch: --top -1: must be 0 (all) or more", err.toString().strip());
    }

    private static String field(String entry, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[^,}]*)").matcher(entry);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + entry);
        }
        return m.group(1);
    }
}
