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

    private static Listener deferring(int port, long drops, java.util.OptionalLong deferred) throws Exception {
        return new Listener(new ListenerRecord(java.net.InetAddress.getByName("127.0.0.1"), port, drops, 0, 16, 0, 0,
                port, 1, 4026531833L, 3), SocketOwner.NONE, "", deferred);
    }

    /** Held-back ACKs of a TCP_DEFER_ACCEPT listener are drops, but not drops per second (no full queue). */
    @Test
    void deferredAcksAreLeftOutOfDropsPerSecond() throws Exception {
        List<ListenerDropRate> r = ListenerDropRate.between(
                List.of(deferring(80, 100, java.util.OptionalLong.of(90)),
                        deferring(81, 100, java.util.OptionalLong.empty())),
                List.of(deferring(80, 130, java.util.OptionalLong.of(110)),
                        deferring(81, 130, java.util.OptionalLong.empty())),
                Duration.ofSeconds(2));
        ListenerDropRate counted = r.stream().filter(x -> x.listener().socket().port() == 80).findFirst().orElseThrow();
        assertEquals(30, counted.dropsInInterval());
        assertEquals(20, counted.deferAcceptInInterval());
        assertEquals(5.0, counted.dropsPerSecond(), "the 10 others in 2 s");
        ListenerDropRate unknown = r.stream().filter(x -> x.listener().socket().port() == 81).findFirst().orElseThrow();
        assertEquals(15.0, unknown.dropsPerSecond(), "not countable here: all of them, never hidden");
    }
}
