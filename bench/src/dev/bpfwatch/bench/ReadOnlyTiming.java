package dev.bpfwatch.bench;

import dev.bpfwatch.libbpf.BpfMap;
import java.lang.reflect.Method;

/**
 * The agent's read of a pinned map alone, no decoding or formatting, in a JVM
 * of its own (run by bench/scrape-scale.sh with the shipped JVM flags). Uses
 * the packed batch read the scrape uses ({@code BpfMap.readPacked}); on a jar
 * older than that, the entry-per-object read it replaced, so the same script
 * measures before and after. Each read is handed back ({@code BpfMap.recycle})
 * once counted, as the agent's scrape hands its read back once written, so
 * the next read refills its arrays; a jar without that allocates per read.
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
            Method recycle = null;
            try {
                packed = BpfMap.class.getMethod("readPacked");
                recycle = BpfMap.class.getMethod("recycle", packed.getReturnType());
            } catch (NoSuchMethodException e) {
                System.out.println(packed == null ? "read entries()" : "read readPacked(), no recycle");
            }
            for (int i = 0; i < warm + runs; i++) {
                long t0 = System.nanoTime();
                Object read = packed != null ? packed.invoke(map) : null;
                int n = read != null ? count(read) : map.entries().size();
                long t1 = System.nanoTime();
                if (recycle != null) {
                    recycle.invoke(map, read);
                }
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
