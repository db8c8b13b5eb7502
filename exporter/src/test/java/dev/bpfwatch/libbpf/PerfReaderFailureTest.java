package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A perf-event reader whose poll fails stops, and says so: reading() turns
 * false (the agent exports it as bpfwatch_perf_events_reader_up 0) with the
 * reason, where before the thread died quietly while the program stayed
 * "attached". The failure is made by putting /dev/null where the rings'
 * epoll fd was, so epoll_wait fails with EINVAL.
 */
class PerfReaderFailureTest {
    @Test
    void aFailedPollIsReportedNotSwallowed() throws Exception {
        try (BpfMap map = BpfMap.create(BpfMapType.PERF_EVENT_ARRAY, "reader_fail", 4, 4, Cpus.possible());
             PerfEventReader reader = PerfEventReader.start(map, 1, sample -> { }, lost -> { })) {
            assertTrue(reader.reading());
            assertEquals(Optional.empty(), reader.failure());
            int devNull = Native.LIBC.open("/dev/null", 0);
            assertTrue(devNull >= 0);
            try {
                assertTrue(Native.LIBC.dup2(devNull, reader.epollFd()) >= 0);
            } finally {
                Native.LIBC.close(devNull);
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (reader.reading() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(reader.reading(), "reader still claims to read after its poll broke");
            assertEquals(Optional.of("poll failed: EINVAL"), reader.failure());
        }
    }
}
