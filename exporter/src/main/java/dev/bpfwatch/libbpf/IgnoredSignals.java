package dev.bpfwatch.libbpf;

/**
 * A process started with a signal ignored (nohup ignores SIGHUP) keeps it
 * ignored, and the JVM then refuses, silently, to install a handler for it:
 * `nohup bpfwatch run &` never reloaded on SIGHUP. Prometheus and its
 * exporters do reload there. This puts such a signal back to its default
 * just before the caller installs its own handler.
 */
public final class IgnoredSignals {
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;

    private IgnoredSignals() {
    }

    /**
     * Un-ignores the signal if it is ignored; leaves any other disposition as
     * it was. Call right before installing a handler: until then the signal
     * has its default action.
     *
     * @return whether it was ignored
     */
    public static boolean unignore(int signal) {
        long before = Native.LIBC.signal(signal, SIG_DFL);
        if (before != SIG_IGN) {
            Native.LIBC.signal(signal, before); // it had a handler (the JVM's) or the default: put it back
            return false;
        }
        return true;
    }
}
