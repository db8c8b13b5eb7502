package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use a hook's slots: two captures of different actions share one
 * hook; a live capture's slot is refused naming its pid, and that refusal
 * leaves the hook as it was; a capture killed with SIGKILL leaves its
 * programs behind, and the next capture takes them over.
 */
class HookSharingTest {
    @TempDir
    Path dir;

    @Test
    void twoCapturesShareAHookAndALiveOnesSlotIsRefused() {
        try (HookFixture hook = new HookFixture();
             CaptureProcess drops = CaptureProcess.start(dir, "--actions", "drop", hook.pin.toString(),
                     dir.resolve("drop.pcap").toString());
             CaptureProcess passes = CaptureProcess.start(dir, "--actions", "XDP_PASS", hook.pin.toString(),
                     dir.resolve("pass.pcap").toString())) {
            drops.awaitInserted(hook.pin, XdpAction.DROP);
            passes.awaitInserted(hook.pin, XdpAction.PASS);

            // tx is free, pass is not: the refusal must leave tx empty too (slots are checked before any insert)
            try (CaptureProcess third = CaptureProcess.start(dir, "--actions", "tx,pass", hook.pin.toString(),
                    dir.resolve("third.pcap").toString())) {
                assertEquals(2, third.waitFor());
                assertEquals("bpfwatch: hook " + hook.pin + ": slot pass is taken by the running capture of pid "
                        + passes.pid() + "\n", third.stderr());
            }
            try (Hook h = Hook.open(hook.pin)) {
                assertEquals(Optional.empty(), h.occupant(XdpAction.TX), "tx after the refused capture");
            }
            hook.send(HookFixture.PASS_PORT, 7, 10);
            hook.send(HookFixture.DROP_PORT, 5, 10);
            drops.signal("TERM");
            passes.signal("INT");
            assertEquals(0, drops.waitFor(), drops.stderr());
            assertEquals(0, passes.waitFor(), passes.stderr());
            assertEquals(List.of("drop 5 5 5 0"), XdpcapCaptureTest.stats(drops.stderr()));
            assertEquals(List.of("pass 7 7 7 0"), XdpcapCaptureTest.stats(passes.stderr()));
            assertEquals(5, XdpcapCaptureTest.packets(dir.resolve("drop.pcap"), ""));
            assertEquals(7, XdpcapCaptureTest.packets(dir.resolve("pass.pcap"), ""));
            XdpcapCaptureTest.assertSlotsEmpty(hook.pin);
        }
    }

    @Test
    void aCaptureKilledWithSigkillIsReplacedByTheNext() {
        try (HookFixture hook = new HookFixture()) {
            int leftBehind;
            try (CaptureProcess killed = CaptureProcess.start(dir, "--actions", "drop", hook.pin.toString(),
                    dir.resolve("killed.pcap").toString())) {
                killed.awaitInserted(hook.pin, XdpAction.DROP);
                killed.signal("KILL");
                assertEquals(137, killed.waitFor());
                try (Hook h = Hook.open(hook.pin)) {
                    leftBehind = h.occupant(XdpAction.DROP).orElseThrow(); // the pinned array keeps it alive
                }
            }
            try (CaptureProcess next = CaptureProcess.start(dir, "--actions", "drop", hook.pin.toString(),
                    dir.resolve("next.pcap").toString())) {
                next.awaitInserted(hook.pin, XdpAction.DROP);
                try (Hook h = Hook.open(hook.pin)) {
                    assertNotEquals(Optional.of(leftBehind), h.occupant(XdpAction.DROP));
                }
                hook.send(HookFixture.DROP_PORT, 3, 10);
                next.signal("INT");
                assertEquals(0, next.waitFor(), next.stderr());
                assertEquals(List.of("drop 3 3 3 0"), XdpcapCaptureTest.stats(next.stderr()));
            }
            XdpcapCaptureTest.assertSlotsEmpty(hook.pin);
            assertEquals(Optional.empty(), dev.bpfwatch.libbpf.ProgramInfo.ofId(leftBehind),
                    "the killed capture's program is unloaded once out of the hook");
        }
    }
}
