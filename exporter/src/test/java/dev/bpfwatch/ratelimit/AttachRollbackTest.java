package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.SocketFilter;
import dev.bpfwatch.libbpf.UdpSocket;
import dev.bpfwatch.testing.FloodChild;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nothing attached half-way: when the second socket fails, the first is detached again. */
class AttachRollbackTest {
    @Test
    void secondSocketFailingDetachesTheFirstAndUnpins() {
        String name = "test-rollback-" + ProcessHandle.current().pid();
        try (FloodChild receiver = FloodChild.start(List.of(), false)) {
            List<SocketRef> targets = new ArrayList<>(UdpSockets.ofProcess(receiver.pid(), receiver.port()));
            SocketRef good = targets.get(0);
            // An fd the receiver does not have: pidfd_getfd fails with EBADF after the first attach worked.
            targets.add(new SocketRef(receiver.pid(), 4000, 0, receiver.port()));

            LibbpfException e = assertThrows(LibbpfException.class,
                    () -> UdpRateLimiter.attach(name, targets, RateLimit.of(10, 1)));
            assertTrue(e.getMessage().startsWith("pidfd_getfd fd 4000 of pid " + receiver.pid()), e.getMessage());

            assertFalse(FilterPins.exists(name), "the filter made for this call is unpinned");
            try (UdpSocket first = UdpSocket.ofProcess(good.pid(), good.fd())) {
                // SO_DETACH_BPF answers ENOENT (false) when the socket has no filter.
                assertFalse(SocketFilter.detach(first), "the first socket was detached again");
            }
            FloodChild.Round r = receiver.round("127.0.0.2", "127.0.0.3", 200, 50);
            assertTrue(r.floodReceived() > 10, "no limit left on the socket: received " + r.floodReceived());
        } finally {
            if (FilterPins.exists(name)) {
                FilterPins.remove(name);
            }
        }
    }
}
