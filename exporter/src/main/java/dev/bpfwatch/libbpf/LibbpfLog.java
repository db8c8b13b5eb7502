package dev.bpfwatch.libbpf;

import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Sends libbpf's own log to java.util.logging (logger "libbpf") and, while a
 * load is in progress on a thread, keeps that thread's lines so a verifier
 * rejection can carry the verifier's log.
 */
public final class LibbpfLog {
    private static final Logger LOG = Logger.getLogger("libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    private static final int LINE_MAX = 8192;
    /**
     * Bytes of the va_list a print callback is handed a pointer to, where copying them is what
     * va_copy does: on x86-64 it is a 24-byte struct. 0 on other architectures (not built or
     * tested there), where a message longer than LINE_MAX stays cut.
     */
    private static final int VA_LIST_BYTES = System.getProperty("os.arch").matches("amd64|x86_64") ? 24 : 0;
    /** Where a print's va_list is copied, one per thread (a load prints hundreds of lines). */
    private static final ThreadLocal<Pointer> VA_LIST_COPY =
            ThreadLocal.withInitial(() -> Memory.allocateDirect(Native.RUNTIME, Math.max(1, VA_LIST_BYTES)));

    /** Strongly held: libbpf keeps only the native trampoline, the GC would free it. */
    private static LibbpfNative.PrintCallback callback;
    private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();
    /** Set while failures are expected (feature probes): their warnings would only alarm. */
    private static final ThreadLocal<Boolean> QUIET = ThreadLocal.withInitial(() -> false);

    private LibbpfLog() {
    }

    static synchronized void install() {
        if (callback != null) {
            return;
        }
        callback = LibbpfLog::print;
        Native.BPF.libbpf_set_print(callback);
    }

    private static int print(int level, Pointer format, Pointer vaList) {
        StringBuilder capture = CAPTURE.get();
        Level javaLevel = level == LIBBPF_WARN ? Level.WARNING : level == LIBBPF_INFO ? Level.INFO : Level.FINE;
        if (QUIET.get() || capture != null) {
            // Captured text becomes part of the caller's one-line error: printing it too would say it twice.
            javaLevel = Level.FINE;
        }
        if (capture == null && !LOG.isLoggable(javaLevel)) {
            return 0; // not formatting what nobody reads
        }
        // va_list is consumed by one vsnprintf: keep a copy for a second pass. The verifier's log
        // comes as one message, often far longer than a line, with its reason at the end: cut at
        // LINE_MAX, a failed load lost both the reason and the end marker it is found by.
        Pointer saved = VA_LIST_BYTES > 0 ? VA_LIST_COPY.get() : null;
        if (saved != null) {
            vaList.transferTo(0, saved, 0, VA_LIST_BYTES);
        }
        Pointer buf = Memory.allocateDirect(Native.RUNTIME, LINE_MAX);
        int n = Native.LIBC.vsnprintf(buf, LINE_MAX, format, vaList);
        if (n < 0) {
            return 0;
        }
        if (n >= LINE_MAX && saved != null) {
            buf = Memory.allocateDirect(Native.RUNTIME, n + 1L);
            Native.LIBC.vsnprintf(buf, n + 1L, format, saved);
        }
        String text = buf.getString(0);
        if (capture != null) {
            capture.append(text);
        }
        LOG.log(javaLevel, text::stripTrailing);
        return 0;
    }

    /** Runs {@code action} with libbpf's warnings logged at FINE: for probes that expect to fail. */
    public static <T> T quietly(Supplier<T> action) {
        Native.BPF.getClass(); // make sure the print hook is installed before we rely on it
        boolean was = QUIET.get();
        QUIET.set(true);
        try {
            return action.get();
        } finally {
            QUIET.set(was);
        }
    }

    /** Runs {@code action} and hands back what libbpf printed on this thread meanwhile. */
    static <T> Captured<T> capture(Supplier<T> action) {
        StringBuilder previous = CAPTURE.get();
        StringBuilder sb = new StringBuilder();
        CAPTURE.set(sb);
        try {
            T result = action.get();
            return new Captured<>(result, sb.toString());
        } finally {
            if (previous == null) {
                CAPTURE.remove();
            } else {
                previous.append(sb);
                CAPTURE.set(previous);
            }
        }
    }

    /** libbpf's last line about a failure, without its "libbpf: " prefix: the detail for an exception. */
    static String lastLine(String log) {
        List<String> lines = log.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            return null;
        }
        String last = lines.get(lines.size() - 1);
        return last.startsWith("libbpf: ") ? last.substring(8) : last;
    }

    record Captured<T>(T result, String log) {
    }
}
