package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.pcap.ClassicFilter;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Two captures started at the same moment on the same slot: exactly one
 * gets it, the other is refused naming the holder, and the slot holds the
 * winner's program. Without a lock over check and insert both found the
 * slot free and both "started", the later one silently taking the packets.
 */
class HookRaceTest {
    private static final int ROUNDS = 20;

    @Test
    void twoCapturesStartedTogetherNeverBothGetASlot() throws Exception {
        CaptureOptions options = new CaptureOptions(EnumSet.of(XdpAction.DROP),
                ClassicFilter.of("", CaptureOptions.DEFAULT_SNAPLEN), CaptureOptions.DEFAULT_SNAPLEN, 65536,
                CaptureOptions.DEFAULT_WAKEUP_EVENTS, 0, false);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (HookFixture fixture = new HookFixture(); Hook hook = Hook.open(fixture.pin)) {
            for (int round = 0; round < ROUNDS; round++) {
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Capture>> starts = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    starts.add(pool.submit(() -> {
                        together.await();
                        try {
                            return Capture.start(hook, options, new PcapWriter(OutputStream.nullOutputStream(),
                                    CaptureOptions.DEFAULT_SNAPLEN));
                        } catch (HookException refused) {
                            assertEquals("hook " + fixture.pin + ": slot drop is taken by the running capture of pid "
                                    + ProcessHandle.current().pid(), refused.getMessage());
                            return null;
                        }
                    }));
                }
                List<Capture> started = new ArrayList<>();
                for (Future<Capture> f : starts) {
                    Capture c = f.get();
                    if (c != null) {
                        started.add(c);
                    }
                }
                try {
                    assertEquals(1, started.size(), "captures that got the drop slot in round " + round);
                    assertEquals(Optional.of(started.get(0).programId(XdpAction.DROP)), hook.occupant(XdpAction.DROP));
                } finally {
                    started.forEach(Capture::close);
                }
                assertEquals(Optional.empty(), hook.occupant(XdpAction.DROP), "slot after the winner closed");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
