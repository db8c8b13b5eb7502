package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerDropRateTest {
    @Test
    void worstFirstByDropsPerSecond() throws Exception {
        SocketOwner o = SocketOwner.NONE;
        List<Listener> before = List.of(
                ListenerCollectorTest.listener("127.0.0.1", 1, 1000, 0, 1, 0, 1, o),
                ListenerCollectorTest.listener("127.0.0.1", 2, 10, 0, 1, 0, 2, o));
        List<Listener> after = List.of(
                ListenerCollectorTest.listener("127.0.0.1", 1, 1000, 0, 1, 0, 1, o),
                ListenerCollectorTest.listener("127.0.0.1", 2, 30, 0, 1, 0, 2, o),
                ListenerCollectorTest.listener("127.0.0.1", 3, 4, 0, 1, 0, 3, o));
        List<ListenerDropRate> r = ListenerDropRate.between(before, after, Duration.ofSeconds(2));
        assertEquals(List.of(2, 3, 1), r.stream().map(x -> x.listener().socket().port()).toList());
        assertEquals(10.0, r.get(0).dropsPerSecond());
        assertEquals(4, r.get(1).dropsInInterval(), "a new listener's drops all fell in the interval");
        assertEquals(0.0, r.get(2).dropsPerSecond(), "old drops, none now: last");
    }

    @Test
    void wrappedCounterIsNotNegative() throws Exception {
        SocketOwner o = SocketOwner.NONE;
        List<ListenerDropRate> r = ListenerDropRate.between(
                List.of(ListenerCollectorTest.listener("127.0.0.1", 1, 0xfffffffeL, 0, 1, 0, 1, o)),
                List.of(ListenerCollectorTest.listener("127.0.0.1", 1, 1, 0, 1, 0, 1, o)), Duration.ofSeconds(1));
        assertEquals(3, r.get(0).dropsInInterval());
    }
}
