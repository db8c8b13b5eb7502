package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.KernelMatrix;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.CpuSpinner;
import dev.bpfwatch.testing.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * perf_event programs in ebpf_exporter's section form
 * (programs/testdata/attach_perf_event.bpf.c): a cpu-clock event per online
 * CPU, sampled at 100 Hz, given once as frequency=100 and once as
 * sample_period=10000000 (ns). A timer's count is not exact, so the test
 * bounds it: over a window of W seconds, every CPU kept busy (some kernels
 * take no cpu-clock samples on an idle CPU), each program must have run
 * between LOW and HIGH times 100 x CPUs x W. The upper bound allows one
 * sample per CPU at each edge of the window (the per-CPU reads are not one
 * instant); the lower one is wide because cpu-clock fires from an hrtimer
 * that skips, not replays, periods it was late for, and in an emulated
 * guest ticks run late.
 */
@Tag("matrix")
class PerfEventAttachTest {
    private static final double HZ = 100;
    private static final long WINDOW_MILLIS = 500;
    private static final double LOW = 0.5;
    private static final double HIGH = 1.1;

    @Test
    void cpuClockProgramsRunAtTheirRateOnEveryOnlineCpu() {
        List<Integer> cpus = Cpus.online();
        long perfFdsBefore = perfEventFds();
        try (BpfObject obj = BpfObject.open(Resources.testObject("attach_perf_event"))) {
            obj.load();
            BpfLink byFrequency = obj.program("cpu_clock_by_frequency").orElseThrow().attach();
            BpfLink byPeriod = obj.program("cpu_clock_by_period").orElseThrow().attach();
            assertEquals(cpus.size(), byFrequency.kernelLinks(), "one event per online CPU");
            assertEquals(cpus.size(), byPeriod.kernelLinks(), "one event per online CPU");
            assertEquals(perfFdsBefore + 2L * cpus.size(), perfEventFds(), "perf event fds held while attached");

            BpfMap samples = obj.map("cpu_clock_samples").orElseThrow();
            long[][] before;
            long[][] after;
            double seconds;
            try (CpuSpinner busy = CpuSpinner.on(cpus)) {
                before = new long[][] {perCpu(samples, 0), perCpu(samples, 1)};
                long start = System.nanoTime();
                sleep(WINDOW_MILLIS);
                after = new long[][] {perCpu(samples, 0), perCpu(samples, 1)};
                seconds = (System.nanoTime() - start) / 1e9;
            }

            double expected = HZ * cpus.size() * seconds;
            for (int slot = 0; slot < 2; slot++) {
                long total = 0;
                for (int cpu : cpus) {
                    long n = after[slot][cpu] - before[slot][cpu];
                    assertTrue(n > 0, "program " + slot + " ran on CPU " + cpu);
                    total += n;
                }
                String what = (slot == 0 ? "frequency=100" : "sample_period=10000000") + ": " + total
                        + " samples in " + String.format("%.3f", seconds) + " s on " + cpus.size() + " CPUs, expected "
                        + String.format("%.0f", expected);
                System.out.println("perf_event " + what);
                assertTrue(total >= LOW * expected && total <= HIGH * expected + 2 * cpus.size(), what);
            }
            byFrequency.close();
            byPeriod.close();
            assertEquals(perfFdsBefore, perfEventFds(), "closing the links closes every perf event");
        }
        assertEquals(0, Bpftool.countOwnPrograms("cpu_clock_by_frequency"), "program still held after close");
        assertEquals(0, Bpftool.countOwnPrograms("cpu_clock_by_period"), "program still held after close");
        assertEquals(0, Bpftool.countOwnMaps("cpu_clock_samples"), "map still held after close");
        KernelMatrix.works("attach: perf_event (cpu-clock)", "on every CPU, within " + LOW + "-" + HIGH
                + " of the rate");
    }

    @Test
    void eventTheKernelLacksFailsTheAttachInOneLineAndHoldsNoEvent() {
        long perfFdsBefore = perfEventFds();
        try (BpfObject obj = BpfObject.open(Resources.testObject("attach_perf_event"))) {
            obj.load();
            LibbpfException e = assertThrows(LibbpfException.class,
                    () -> obj.program("no_such_event").orElseThrow().attach());
            String m = e.getMessage();
            System.out.println("perf_event error: " + m);
            assertFalse(m.contains("\n"), "one line: " + m);
            assertTrue(m.contains("no_such_event") && m.contains("perf_event/type=1,config=4242,frequency=100")
                    && m.contains("perf_event_open"), m);
            assertEquals(perfFdsBefore, perfEventFds(), "no perf event left open by the failed attach");
        }
    }

    @Test
    void malformedSectionFailsTheLoadInOneLineAndLoadsNothing() {
        // attach_perf_event_bad.bpf.c: a misspelt key, beside a program and a map that are fine.
        try (BpfObject obj = BpfObject.open(Resources.testObject("attach_perf_event_bad"))) {
            LibbpfException e = assertThrows(LibbpfException.class, obj::load);
            String m = e.getMessage();
            System.out.println("perf_event error: " + m);
            assertFalse(m.contains("\n"), "one line: " + m);
            assertTrue(m.contains("bad_section_misspelt") && m.contains("'perf_event/type=1,config=0,frequncy=100'")
                    && m.contains("unknown key 'frequncy'"), m);
            assertEquals("EINVAL", e.errnoName());
            assertFalse(obj.loaded());
            // Checked while the object is still open: the failed load created nothing to release later.
            assertEquals(0, Bpftool.countOwnPrograms("bad_section_fine_neighbour"), "neighbour program loaded");
            assertEquals(0, Bpftool.countOwnMaps("bad_section_runs"), "map created");
        }
    }

    /** One u64 per possible CPU for the slot (index into the per-CPU array). */
    private static long[] perCpu(BpfMap samples, int slot) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(slot).array();
        ByteBuffer v = ByteBuffer.wrap(samples.lookup(key).orElseThrow()).order(ByteOrder.nativeOrder());
        long[] counts = new long[Cpus.possible()];
        for (int cpu = 0; cpu < counts.length; cpu++) {
            counts[cpu] = v.getLong(cpu * samples.valueStride());
        }
        return counts;
    }

    /** Perf event fds this process holds (/proc/self/fd links to anon_inode:[perf_event]). */
    private static long perfEventFds() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(f -> {
                try {
                    return Files.readSymbolicLink(f).toString().equals("anon_inode:[perf_event]");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
