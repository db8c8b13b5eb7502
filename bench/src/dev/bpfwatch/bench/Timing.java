package dev.bpfwatch.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Repeated timing: warm-up runs thrown away, then the median and p90 of the rest. */
final class Timing {
    private Timing() {
    }

    /** Nanoseconds of each measured run. */
    static List<Long> repeat(int warmup, int runs, Runnable work) {
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        List<Long> out = new ArrayList<>(runs);
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            work.run();
            out.add(System.nanoTime() - t0);
        }
        return out;
    }

    static double median(List<? extends Number> xs) {
        return quantile(xs, 0.5);
    }

    static double p90(List<? extends Number> xs) {
        return quantile(xs, 0.9);
    }

    /** Nearest-rank quantile (for the median of an even count, the mean of the middle two). */
    static double quantile(List<? extends Number> xs, double q) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("no measurements");
        }
        List<Double> s = new ArrayList<>();
        xs.forEach(x -> s.add(x.doubleValue()));
        Collections.sort(s);
        if (q == 0.5 && s.size() % 2 == 0) {
            return (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        }
        int rank = (int) Math.ceil(q * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    static String ms(double ns) {
        double ms = ns / 1e6;
        return ms >= 100 ? String.format("%.0f ms", ms) : ms >= 10 ? String.format("%.1f ms", ms)
                : String.format("%.2f ms", ms);
    }

    /** "median (p90 …)" in ms. */
    static String msWithP90(List<Long> runs) {
        return ms(median(runs)) + " (p90 " + ms(p90(runs)) + ")";
    }
}
