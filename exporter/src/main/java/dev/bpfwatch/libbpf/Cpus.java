package dev.bpfwatch.libbpf;

/** Possible CPUs, as per-CPU map lookups count them (not online CPUs). */
public final class Cpus {
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
}
