package dev.bpfwatch.bench;

import dev.bpfwatch.libbpf.BpfMap;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * The agent's read of a pinned map alone, no decoding or formatting, in a JVM
 * of its own (run by bench/scrape-scale.sh with the shipped JVM flags). Uses
 * the packed batch read the scrape uses ({@code BpfMap.readPacked}); on a jar
 * older than that, the entry-per-object read it replaced, so the same script
 * measures before and after. Each read is handed back ({@code BpfMap.recycle})
 * once counted, as the agent's scrape hands its read back once written, so
 * the next read refills its arrays; a jar without that allocates per read.
 *
 *   ReadOnlyTiming PIN RUNS WARMUP     prints "entries N" then "ns T" per run
 *   ReadOnlyTiming PIN --paced WARMUP  after the warm-ups prints "entries N", then one
 *                                      timed read per line read from stdin ("ns T" each),
 *                                      so a script can take turns with the C floor
 */
public final class ReadOnlyTiming {
    private ReadOnlyTiming() {
    }

    public static void main(String[] args) throws Exception {
        boolean paced = args[1].equals("--paced");
        int warm = Integer.parseInt(args[2]);
        try (BpfMap map = BpfMap.openPinned(args[0])) {
            Reader reader = new Reader(map);
            int n = 0;
            for (int i = 0; i < warm; i++) {
                n = reader.timedRead().entries();
            }
            System.out.println("entries " + n);
            System.out.flush();
            if (paced) {
                BufferedReader turns = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                while (turns.readLine() != null) {
                    System.out.println("ns " + reader.timedRead().nanos());
                    System.out.flush();
                }
            } else {
                for (int i = Integer.parseInt(args[1]); i > 0; i--) {
                    System.out.println("ns " + reader.timedRead().nanos());
                }
            }
        }
    }

    private record Read(int entries, long nanos) {
    }

    /** One read as the jar at hand does it: packed and handed back, or whatever came before. */
    private static final class Reader {
        private final BpfMap map;
        private Method packed;
        private Method recycle;

        Reader(BpfMap map) {
            this.map = map;
            try {
                packed = BpfMap.class.getMethod("readPacked");
                recycle = BpfMap.class.getMethod("recycle", packed.getReturnType());
            } catch (NoSuchMethodException e) {
                System.out.println(packed == null ? "read entries()" : "read readPacked(), no recycle");
            }
        }

        Read timedRead() throws Exception {
            long t0 = System.nanoTime();
            Object read = packed != null ? packed.invoke(map) : null;
            int n = read != null ? count(read) : map.entries().size();
            long t1 = System.nanoTime();
            if (recycle != null) {
                recycle.invoke(map, read);
            }
            return new Read(n, t1 - t0);
        }
    }

    private static int count(Object packed) throws Exception {
        return (int) packed.getClass().getMethod("count").invoke(packed);
    }
}
