package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.sockets.Listener;
import dev.bpfwatch.sockets.ListenerDropRate;
import dev.bpfwatch.sockets.ListenerRecord;
import dev.bpfwatch.sockets.SocketOwner;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenDropsTableTest {
    private static final String CONTAINER = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static ListenerDropRate row(String addr, int port, long drops, double rate, SocketOwner o) throws Exception {
        return new ListenerDropRate(new Listener(new ListenerRecord(InetAddress.getByName(addr), port, drops, 129, 128,
                17, 33, 99, 1, 4026532281L), o), 0, rate);
    }

    @Test
    void longValuesStayWithin80Columns() throws Exception {
        List<ListenerDropRate> rows = List.of(
                row("2001:db8:1234:5678:9abc:def0:1234:5678", 65535, 123_456_789_012L, 1_234_567.8,
                        new SocketOwner("a-very-long-comm", 4194304, "some-very-long-unit-name.service", "")),
                row("10.0.0.1", 8080, 68, 12.5, new SocketOwner("nginx", 812, "", CONTAINER)),
                row("0.0.0.0", 22, 0, 0, SocketOwner.NONE));
        String text = ListenDropsTable.render(rows, 5, 2, Duration.ofMillis(1000));
        System.out.print(text);
        for (String l : text.lines().toList()) {
            assertTrue(l.length() <= 80, "wider than 80: " + l);
        }
        List<String> lines = text.lines().toList();
        assertEquals("5 listeners in 2 network namespaces, drops over 1.0s, worst 3 shown", lines.get(0));
        assertTrue(lines.get(2).strip().startsWith("123.5G"), lines.get(2));
        assertTrue(lines.get(2).contains("~"), "long endpoint keeps its port: " + lines.get(2));
        assertTrue(lines.get(3).contains("68   12.5   129/128 4026532281 10.0.0.1:8080"), lines.get(3));
        assertTrue(lines.get(3).endsWith("nginx[812] ctr:012345~"), "cut at 80 with a mark: " + lines.get(3));
        assertTrue(lines.get(4).endsWith("(no process) uid 33"), lines.get(4));
    }

    @Test
    void jsonEscapesNames() throws Exception {
        String json = ListenDropsJson.render(List.of(row("::1", 1, 2, 0.5,
                new SocketOwner("we\"ird\\n", 7, "", ""))), 1, 1, Duration.ofMillis(250));
        assertTrue(json.contains("\"comm\":\"we\\\"ird\\\\n\""), json);
        assertTrue(json.contains("\"address\":\"::1\""), json);
        assertTrue(json.startsWith("{\"interval_seconds\":0.250,\"listeners_seen\":1,"), json);
    }
}
