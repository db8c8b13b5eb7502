package dev.bpfwatch.libbpf;

/** What the ring readers share about stopping their poller thread. */
final class Pollers {
    private Pollers() {
    }

    /**
     * Waits up to {@code millis} for a poller told to stop. A poller still running after that
     * keeps its rings: freeing them while it polls would crash the process, so the caller frees
     * native state only when this returns true.
     */
    static boolean stopped(Thread poller, long millis) {
        try {
            poller.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !poller.isAlive();
    }
}
