package dev.bpfwatch.bench;

import dev.bpfwatch.libbpf.BpfMap;
import java.lang.reflect.Method;

/**
 * The agent's read of a pinned map alone, no decoding or formatting, in a JVM
 * of its own (run by bench/scrape-scale.sh with the shipped JVM flags). Uses
 * the packed batch read the scrape uses ({@code BpfMap.readPacked}); on a jar
 * older than that, the entry-per-object read it replaced, so the same script
 * measures before and after.
 *
 *   ReadOnlyTiming PIN RUNS WARMUP    prints "entries N" then "ns T" per run
 */
public final class ReadOnlyTiming {
    private ReadOnlyTiming() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[1]);
        int warm = Integer.parseInt(args[2]);
        try (BpfMap map = BpfMap.openPinned(args[0])) {
            Method packed = null;
            try {
                packed = BpfMap.class.getMethod("readPacked");
            } catch (NoSuchMethodException e) {
                System.out.println("read entries()");
            }
            for (int i = 0; i < warm + runs; i++) {
                long t0 = System.nanoTime();
                int n = packed != null ? count(packed.invoke(map)) : map.entries().size();
                long t1 = System.nanoTime();
                if (i == 0) {
                    System.out.println("entries " + n);
                }
                if (i >= warm) {
                    System.out.println("ns " + (t1 - t0));
                }
            }
        }
    }

    private static int count(Object packed) throws Exception {
        return (int) packed.getClass().getMethod("count").invoke(packed);
    }
}
