package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel's CPU list format (/sys/devices/system/cpu/online), which perf_event attachments walk. */
@Tag("matrix")
class CpusTest {

    @Test
    void cpuListsExpandToCpuNumbers() {
        assertEquals(List.of(0), Cpus.parseList("0\n"));
        assertEquals(List.of(0, 1, 2, 3), Cpus.parseList("0-3\n"));
        assertEquals(List.of(0, 1, 4, 6, 7), Cpus.parseList("0-1,4,6-7\n"));
        assertThrows(IllegalArgumentException.class, () -> Cpus.parseList("3-1"));
    }

    @Test
    void onlineCpusAreAmongThePossibleOnes() {
        List<Integer> online = Cpus.online();
        assertEquals(online.size(), online.stream().distinct().count());
        online.forEach(cpu -> assertEquals(true, cpu < Cpus.possible(), "CPU " + cpu + " of " + Cpus.possible()));
    }
}
