package dev.bpfwatch.libbpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import jnr.ffi.Pointer;

/**
 * One program of a {@link BpfObject}: its section says where it attaches.
 * It lives as long as its object: every call runs inside the object's
 * lifetime, and after the object closes each throws {@link ObjectClosedException}.
 */
public final class BpfProgram {
    private static final int ENOENT = 2;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOTSUPP = 524;
    private static final int EINVAL = 22;
    /** Present where the kernel has kprobes (its perf event source). */
    private static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe");
    /** Section kinds that name a tracepoint (tracepoint/CATEGORY/NAME, raw_tp/NAME). */
    private static final Set<String> TRACEPOINT_KINDS = Set.of("tracepoint", "tp", "raw_tp", "raw_tracepoint");

    private final BpfObject owner;
    private final Pointer handle;
    private final String name;
    private final String section;
    /** Set at load for sections libbpf does not know; bpfwatch attaches those itself. */
    private ExporterSection exporterSection;

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
        int rc = owner.use(this, () -> Native.BPF.bpf_program__set_autoload(handle, autoload));
        if (rc < 0) {
            throw new LibbpfException("autoload " + name, Native.errnoOf(rc));
        }
    }

    public boolean autoload() {
        return owner.use(this, () -> Native.BPF.bpf_program__autoload(handle));
    }

    /**
     * Before load: gives a program in one of ebpf_exporter's section forms
     * that libbpf does not know ({@link ExporterSection}) the type libbpf
     * would have given it. Touches nothing in the kernel.
     *
     * @throws LibbpfException (EINVAL) naming program and section when the section is malformed
     */
    void prepareSection(String objectName) {
        int libbpfType = Native.BPF.bpf_program__type(handle);
        Optional<ExporterSection> parsed;
        try {
            parsed = ExporterSection.of(section, libbpfType);
        } catch (IllegalArgumentException e) {
            throw new LibbpfException("load " + objectName + " program " + name, EINVAL, e.getMessage());
        }
        if (parsed.isEmpty()) {
            return;
        }
        ExporterSection s = parsed.get();
        if (libbpfType == ExporterSection.BPF_PROG_TYPE_UNSPEC) {
            int rc = Native.BPF.bpf_program__set_type(handle, s.programType());
            if (rc == 0) {
                rc = Native.BPF.bpf_program__set_expected_attach_type(handle, s.expectedAttachType());
            }
            if (rc < 0) {
                throw new LibbpfException("set type of program " + name + " (" + section + ")", Native.errnoOf(rc));
            }
        }
        exporterSection = s;
    }

    /**
     * Attaches where the section says (tracepoint, tp_btf, raw_tp, kprobe,
     * fentry, uprobe, usdt, ...), as libbpf's auto-attach does; and
     * ebpf_exporter's {@code perf_event/...} (one event per online CPU, all
     * in the one link) and {@code xdp/<interface>} (in the calling thread's
     * network namespace), which libbpf 1.1 cannot auto-attach.
     *
     * @throws NotSupportedException when this kernel lacks the hook type
     */
    public BpfLink attach() {
        return owner.use(this, this::attachInLife);
    }

    private BpfLink attachInLife() {
        owner.requireLoaded();
        if (exporterSection != null) {
            return track(new BpfLink(owner, exporterSection.attach(this), name));
        }
        LibbpfLog.Captured<Pointer> result = LibbpfLog.capture(() -> Native.BPF.bpf_program__attach(handle));
        int err = Native.errno();
        if (result.result() == null) {
            throw attachFailure(err, result.log());
        }
        return track(new BpfLink(owner, List.of(result.result()), name));
    }

    /** Why libbpf's attach failed, in words naming the cause where libbpf gives only an errno. */
    private LibbpfException attachFailure(int err, String libbpfLog) {
        String op = "attach " + name + " (" + section + ")";
        String kind = attachKind();
        Optional<String> target = sectionTarget();
        boolean kprobe = kind.equals("kprobe") || kind.equals("kretprobe");
        if (kprobe && err == ENOENT && Files.isDirectory(KPROBE_PMU)
                && kprobeTarget().flatMap(Kallsyms::has).equals(Optional.of(false))) {
            // The kernel has kprobes but not this function (or its module is not loaded): saying
            // "kprobes is not available" here sent users after the wrong cause.
            return new LibbpfException(op, err, "function " + kprobeTarget().orElseThrow()
                    + " is not in this kernel (or its module is not loaded)");
        }
        if (kprobe && (err == ENOENT || err == EOPNOTSUPP || err == ENOTSUPP)) {
            return new NotSupportedException("kprobes", op, err);
        }
        Optional<String> missing = missingTracedBinary(kind);
        if (missing.isPresent()) {
            // libbpf's line gives only the path it could not open and an errno number.
            return new LibbpfException(op, err, missing.get());
        }
        boolean rawTp = kind.equals("raw_tp") || kind.equals("raw_tracepoint");
        if (rawTp && err == EINVAL && target.isPresent()) {
            // The kernel's one EINVAL for a raw tracepoint libbpf found: the program's context
            // reads go past the tracepoint's arguments (checked at attach, not by the verifier).
            return new LibbpfException(op, err, "raw tracepoint " + target.get()
                    + " has fewer arguments on this kernel than the program reads");
        }
        if (TRACEPOINT_KINDS.contains(kind) && err == ENOENT && target.isPresent()) {
            // libbpf's line says only "No such file or directory".
            return new LibbpfException(op, err, (rawTp ? "raw tracepoint " : "tracepoint ") + target.get()
                    + " is not in this kernel");
        }
        return new LibbpfException(op, err, LibbpfLog.lastLine(libbpfLog));
    }

    /** What follows the first '/' of the section (a function, tracepoint or binary); empty if nothing does. */
    private Optional<String> sectionTarget() {
        int slash = section.indexOf('/');
        return slash < 0 || slash == section.length() - 1 ? Optional.empty()
                : Optional.of(section.substring(slash + 1));
    }

    /** ebpf_exporter's run-once-after-attach program ({@link PostAttachMark}). */
    public boolean runsOnceAfterAttach() {
        return exporterSection instanceof PostAttachMark;
    }

    /** Runs the attached run-once-after-attach programs of this process. */
    public static void firePostAttachMarks() {
        PostAttachMark.fire();
    }

    /**
     * "binary PATH does not exist ..." when this is a uprobe, uretprobe or usdt program whose
     * section names a binary ({@code usdt/PATH:PROVIDER:NAME}, {@code uprobe/PATH:FUNCTION}) that
     * is not there; empty otherwise. A relative path is the agent's working directory's.
     */
    private Optional<String> missingTracedBinary(String kind) {
        if (!kind.equals("usdt") && !kind.equals("uprobe") && !kind.equals("uretprobe")) {
            return Optional.empty();
        }
        String target = sectionTarget().orElse("");
        int colon = target.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String binary = target.substring(0, colon);
        if (!binary.contains("/")) {
            return Optional.empty(); // a library name (libc.so.6), which libbpf looks up itself
        }
        Path path = Path.of(binary);
        if (Files.exists(path)) {
            return Optional.empty();
        }
        return Optional.of("binary " + binary + " does not exist" + (path.isAbsolute() ? ""
                : " (a relative path, from the agent's working directory " + Path.of("").toAbsolutePath() + ")"));
    }

    /** The function of a {@code kprobe/NAME[+OFFSET]} section; empty for other forms. */
    private Optional<String> kprobeTarget() {
        return sectionTarget().map(target -> {
            int plus = target.indexOf('+');
            return plus < 0 ? target : target.substring(0, plus);
        });
    }

    private BpfLink track(BpfLink link) {
        owner.track(link);
        return link;
    }

    /** Attaches an {@code iter/...} program; read it with {@link BpfLink#readIterator()}. */
    public BpfLink attachIterator() {
        return owner.use(this, this::attachIteratorInLife);
    }

    private BpfLink attachIteratorInLife() {
        owner.requireLoaded();
        if (!isIterator()) {
            throw new IllegalStateException(name + " (" + section + ") is not an iterator");
        }
        Pointer link = Native.BPF.bpf_program__attach_iter(handle, null);
        int err = Native.errno();
        if (link == null) {
            throw new LibbpfException("attach iterator " + name, err);
        }
        return track(new BpfLink(owner, List.of(link), name));
    }

    /** The kernel's view of the loaded program: id, tag, run count and time. */
    public ProgramInfo info() {
        return owner.use(this, () -> ProgramInfo.read(fd()));
    }

    /** libbpf's handle, for attachments the binding makes itself; never leaves the package. */
    Pointer handle() {
        owner.requireLoaded();
        return handle;
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

    @Override
    public String toString() {
        return "program " + name;
    }

    public void pin(String path) {
        int rc = owner.use(this, () -> Native.BPF.bpf_obj_pin(fd(), path));
        if (rc < 0) {
            throw new LibbpfException("pin program " + name + " at " + path, Native.errnoOf(rc));
        }
    }
}
