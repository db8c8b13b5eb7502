package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Possible CPUs, as per-CPU map lookups count them (not online CPUs), and the online ones. */
public final class Cpus {
    private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");
    private static volatile int possible;

    private Cpus() {
    }

    public static int possible() {
        int n = possible;
        if (n == 0) {
            n = Native.BPF.libbpf_num_possible_cpus();
            if (n <= 0) {
                throw new LibbpfException("count possible CPUs", -n);
            }
            possible = n;
        }
        return n;
    }

    /** Online CPU numbers now (not cached: CPUs come and go), from the kernel's list such as "0-3,6". */
    public static List<Integer> online() {
        try {
            return parseList(Files.readString(ONLINE));
        } catch (IOException | IllegalArgumentException e) {
            throw new LibbpfException("read " + ONLINE, 5, e.getMessage());
        }
    }

    static List<Integer> parseList(String text) {
        List<Integer> cpus = new ArrayList<>();
        for (String range : text.strip().split(",")) {
            String[] ends = range.split("-", 2);
            int first = Integer.parseInt(ends[0]);
            int last = ends.length == 2 ? Integer.parseInt(ends[1]) : first;
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("bad CPU range '" + range + "'");
            }
            for (int cpu = first; cpu <= last; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }
}
