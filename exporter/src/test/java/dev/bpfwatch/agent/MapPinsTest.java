package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.testing.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reusing an earlier run's pins: a step that fails half-way leaves no fd of ours open. */
class MapPinsTest {
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-mappins-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aFailedReuseClosesTheMapsItHadAlreadyOpened() throws Exception {
        // An earlier run pinned all three maps of compat_udp.
        try (BpfObject first = BpfObject.open(Resources.testObject("compat_udp"))) {
            MapPins.reuse(pins, "compat", first).pinNew(loaded(first));
        }
        // The last map's pin is now a directory: opening it fails after the first two were reused.
        Path last = pins.resolve("compat/udp_drops_percpu_total");
        Files.delete(last);
        Files.createDirectory(last);
        long before = openFds();
        try (BpfObject second = BpfObject.open(Resources.testObject("compat_udp"))) {
            assertThrows(RuntimeException.class, () -> MapPins.reuse(pins, "compat", second));
        }
        assertEquals(before, openFds(), "fds left open by the failed reuse (the object's own copies went with it)");
    }

    private static BpfObject loaded(BpfObject object) {
        object.load();
        return object;
    }
}
