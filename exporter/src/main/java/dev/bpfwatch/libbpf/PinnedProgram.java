package dev.bpfwatch.libbpf;

import java.nio.file.Path;

/**
 * A loaded program reached through its pin in bpffs rather than through the
 * object that loaded it: what a second bpfwatch process, or the same one
 * after a restart, uses to attach a filter another run created.
 */
public final class PinnedProgram implements AutoCloseable {
    private final Path path;
    private final int fd;
    private final ProgramInfo info;

    private PinnedProgram(Path path, int fd, ProgramInfo info) {
        this.path = path;
        this.fd = fd;
        this.info = info;
    }

    public static PinnedProgram open(Path path) {
        int fd = Native.BPF.bpf_obj_get(path.toString());
        if (fd < 0) {
            throw new LibbpfException("open pinned program " + path, Native.errnoOf(fd));
        }
        try {
            return new PinnedProgram(path, fd, ProgramInfo.read(fd));
        } catch (RuntimeException e) {
            Native.LIBC.close(fd); // a pinned map at that path: not ours to keep open
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The kernel's view: id, tag, name. */
    public ProgramInfo info() {
        return info;
    }

    int fd() {
        return fd;
    }

    @Override
    public void close() {
        Native.LIBC.close(fd);
    }
}
