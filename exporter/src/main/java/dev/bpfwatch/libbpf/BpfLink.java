package dev.bpfwatch.libbpf;

import java.io.ByteArrayOutputStream;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** A program attached to its hook; closing it detaches. */
public final class BpfLink implements AutoCloseable {
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int READ_CHUNK = 64 * 1024;

    private final BpfObject owner;
    private final String program;
    private Pointer handle;

    BpfLink(BpfObject owner, Pointer handle, String program) {
        this.owner = owner;
        this.handle = handle;
        this.program = program;
    }

    public String program() {
        return program;
    }

    public synchronized boolean attached() {
        return handle != null;
    }

    /**
     * Runs an iterator link once and returns everything it wrote. Each call
     * makes a fresh iterator (bpf_iter_create), so each read is a new walk.
     */
    public synchronized byte[] readIterator() {
        if (handle == null) {
            throw new IllegalStateException("link of " + program + " is closed");
        }
        int iterFd = Native.BPF.bpf_iter_create(Native.BPF.bpf_link__fd(handle));
        if (iterFd < 0) {
            throw new LibbpfException("create iterator " + program, Native.errnoOf(iterFd));
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Pointer buf = Memory.allocateDirect(Native.RUNTIME, READ_CHUNK);
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
        int rc = Native.BPF.bpf_link__pin(handle, path);
        if (rc < 0) {
            throw new LibbpfException("pin link of " + program + " at " + path, Native.errnoOf(rc));
        }
    }

    @Override
    public synchronized void close() {
        if (handle == null) {
            return;
        }
        Native.BPF.bpf_link__destroy(handle);
        handle = null;
        owner.untrack(this);
    }
}
