package dev.bpfwatch.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the given CPUs busy, one spinning thread pinned to each, until
 * closed. Tests of timer-driven perf events need it: on some kernels (this
 * host's 6.18) cpu-clock does not sample a CPU while it idles, so without
 * load a count would depend on what else the machine happens to run.
 */
public final class CpuSpinner implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private CpuSpinner() {
    }

    /** Returns once every spinner runs on its CPU. */
    public static CpuSpinner on(List<Integer> cpus) {
        CpuSpinner s = new CpuSpinner();
        java.util.concurrent.CountDownLatch pinned = new java.util.concurrent.CountDownLatch(cpus.size());
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int cpu : cpus) {
            Thread t = new Thread(() -> {
                try {
                    ThreadAffinity.pinCurrentThread(cpu);
                } catch (IllegalStateException e) {
                    failures.add(e.getMessage());
                }
                pinned.countDown();
                long spins = 0;
                while (s.running) {
                    spins++;
                }
                if (spins < 0) {
                    throw new IllegalStateException(); // keeps the loop from being optimised away
                }
            }, "cpu-spinner-" + cpu);
            t.setDaemon(true);
            s.threads.add(t);
            t.start();
        }
        try {
            pinned.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!failures.isEmpty()) {
            s.close();
            throw new IllegalStateException(String.join("; ", failures));
        }
        return s;
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
