package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two `udp-limit attach --name X` at once: one creates the filter's pins,
 * the other must find and reuse them. Before the filter's directory was
 * locked, both saw "not pinned", the loser's pin failed with EEXIST and its
 * rollback removed the winner's pins.
 */
class FilterPinsRaceTest {
    private static final int ROUNDS = 20;
    private final String name = "test-race-" + ProcessHandle.current().pid();

    @AfterEach
    void removePins() {
        FilterPins.remove(name);
    }

    @Test
    void concurrentEnsureCreatesTheFilterOnceAndKeepsItsPins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Boolean>> calls = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    calls.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return FilterPins.ensure(name);
                    }));
                }
                int created = 0;
                for (Future<Boolean> call : calls) {
                    created += call.get(60, TimeUnit.SECONDS) ? 1 : 0; // a loser that threw fails here
                }
                assertEquals(1, created, "round " + round + ": exactly one call creates the filter");
                Path dir = FilterPins.dir(name);
                for (String pin : FilterPins.MAPS) {
                    assertTrue(Files.exists(dir.resolve(pin)), "round " + round + ": " + pin + " is still pinned");
                }
                int programId = Bpftool.pinnedProgramId(dir.resolve(FilterPins.PROGRAM).toString());
                try (PinnedFilter f = PinnedFilter.open(name)) {
                    assertEquals(programId, f.program().info().id(), "round " + round);
                }
                FilterPins.remove(name);
                assertTrue(!Files.exists(dir), "round " + round + ": removed");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
