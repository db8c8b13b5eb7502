package dev.bpfwatch.libbpf;

import jnr.ffi.Pointer;

/** One program of a {@link BpfObject}: its section says where it attaches. */
public final class BpfProgram {
    private static final int ENOENT = 2;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOTSUPP = 524;

    private final BpfObject owner;
    private final Pointer handle;
    private final String name;
    private final String section;

    BpfProgram(BpfObject owner, Pointer handle) {
        this.owner = owner;
        this.handle = handle;
        this.name = Native.BPF.bpf_program__name(handle);
        this.section = Native.BPF.bpf_program__section_name(handle);
    }

    public String name() {
        return name;
    }

    /** The ELF section, e.g. {@code tp_btf/kfree_skb}, {@code iter/tcp}, {@code socket}. */
    public String section() {
        return section;
    }

    /** The attach kind: the section up to its first '/' ({@code kprobe}, {@code iter}, ...). */
    public String attachKind() {
        int slash = section.indexOf('/');
        String kind = slash < 0 ? section : section.substring(0, slash);
        return kind.endsWith(".s") ? kind.substring(0, kind.length() - 2) : kind;
    }

    public boolean isIterator() {
        return "iter".equals(attachKind());
    }

    /** Off: load() skips this program (for objects with programs a kernel lacks hooks for). */
    public void setAutoload(boolean autoload) {
        int rc = Native.BPF.bpf_program__set_autoload(handle, autoload);
        if (rc < 0) {
            throw new LibbpfException("autoload " + name, Native.errnoOf(rc));
        }
    }

    public boolean autoload() {
        return Native.BPF.bpf_program__autoload(handle);
    }

    /**
     * Attaches where the section says (tracepoint, tp_btf, raw_tp, kprobe,
     * fentry, uprobe, usdt, ...), as libbpf's auto-attach does.
     *
     * @throws NotSupportedException when this kernel lacks the hook type
     */
    public BpfLink attach() {
        owner.requireLoaded();
        LibbpfLog.Captured<Pointer> result = LibbpfLog.capture(() -> Native.BPF.bpf_program__attach(handle));
        int err = Native.errno();
        if (result.result() == null) {
            String kind = attachKind();
            boolean kprobe = kind.equals("kprobe") || kind.equals("kretprobe");
            if (kprobe && (err == ENOENT || err == EOPNOTSUPP || err == ENOTSUPP)) {
                throw new NotSupportedException("kprobes", "attach " + name + " (" + section + ")", err);
            }
            throw new LibbpfException("attach " + name + " (" + section + ")", err,
                    LibbpfLog.lastLine(result.log()));
        }
        BpfLink link = new BpfLink(owner, result.result(), name);
        owner.track(link);
        return link;
    }

    /** Attaches an {@code iter/...} program; read it with {@link BpfLink#readIterator()}. */
    public BpfLink attachIterator() {
        owner.requireLoaded();
        if (!isIterator()) {
            throw new IllegalStateException(name + " (" + section + ") is not an iterator");
        }
        Pointer link = Native.BPF.bpf_program__attach_iter(handle, null);
        int err = Native.errno();
        if (link == null) {
            throw new LibbpfException("attach iterator " + name, err);
        }
        BpfLink l = new BpfLink(owner, link, name);
        owner.track(l);
        return l;
    }

    /** The kernel's view of the loaded program: id, tag, run count and time. */
    public ProgramInfo info() {
        return ProgramInfo.read(fd());
    }

    /** For attachments the binding makes itself (socket filters); never leaves the package. */
    int fd() {
        owner.requireLoaded();
        int fd = Native.BPF.bpf_program__fd(handle);
        if (fd < 0) {
            throw new LibbpfException("program " + name + " fd", Native.errnoOf(fd), "not loaded (autoload off?)");
        }
        return fd;
    }

    public void pin(String path) {
        int rc = Native.BPF.bpf_obj_pin(fd(), path);
        if (rc < 0) {
            throw new LibbpfException("pin program " + name + " at " + path, Native.errnoOf(rc));
        }
    }
}
