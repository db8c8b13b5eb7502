package dev.bpfwatch.libbpf;

import java.io.ByteArrayOutputStream;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * A program attached to its hook; closing it detaches. One attachment may
 * take several kernel links (a perf_event program has one per CPU): they
 * come and go together.
 */
public final class BpfLink implements AutoCloseable {
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int READ_CHUNK = 64 * 1024;

    private final BpfObject owner;
    private final String program;
    private List<Pointer> handles;

    BpfLink(BpfObject owner, List<Pointer> handles, String program) {
        if (handles.isEmpty()) {
            throw new IllegalArgumentException("link of " + program + " without kernel links");
        }
        this.owner = owner;
        this.handles = List.copyOf(handles);
        this.program = program;
    }

    public String program() {
        return program;
    }

    public synchronized boolean attached() {
        return handles != null;
    }

    /** Kernel links this attachment holds: one, or one per CPU for perf_event programs. */
    public synchronized int kernelLinks() {
        return handles == null ? 0 : handles.size();
    }

    /** The only kernel link, for operations that make sense on one (iterators, pins). */
    private Pointer single(String operation) {
        if (handles == null) {
            throw new IllegalStateException("link of " + program + " is closed");
        }
        if (handles.size() != 1) {
            throw new IllegalStateException("cannot " + operation + " " + program + ": its attachment spans "
                    + handles.size() + " kernel links");
        }
        return handles.get(0);
    }

    /**
     * Runs an iterator link once and returns everything it wrote. Each call
     * makes a fresh iterator (bpf_iter_create), so each read is a new walk.
     */
    public synchronized byte[] readIterator() {
        int iterFd = Native.BPF.bpf_iter_create(Native.BPF.bpf_link__fd(single("read iterator")));
        if (iterFd < 0) {
            throw new LibbpfException("create iterator " + program, Native.errnoOf(iterFd));
        }
        try (NativeBuffer native64k = NativeBuffer.allocate(READ_CHUNK)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Pointer buf = native64k.pointer();
            byte[] chunk = new byte[READ_CHUNK];
            while (true) {
                long n = Native.LIBC.read(iterFd, buf, READ_CHUNK);
                if (n == 0) {
                    return out.toByteArray();
                }
                if (n < 0) {
                    int err = Native.errno();
                    if (err == EINTR || err == EAGAIN) {
                        continue;
                    }
                    throw new LibbpfException("read iterator " + program, err);
                }
                buf.get(0, chunk, 0, (int) n);
                out.write(chunk, 0, (int) n);
            }
        } finally {
            Native.LIBC.close(iterFd);
        }
    }

    public synchronized void pin(String path) {
        int rc = Native.BPF.bpf_link__pin(single("pin"), path);
        if (rc < 0) {
            throw new LibbpfException("pin link of " + program + " at " + path, Native.errnoOf(rc));
        }
    }

    @Override
    public synchronized void close() {
        if (handles == null) {
            return;
        }
        handles.forEach(Native.BPF::bpf_link__destroy);
        handles = null;
        owner.untrack(this);
    }
}
