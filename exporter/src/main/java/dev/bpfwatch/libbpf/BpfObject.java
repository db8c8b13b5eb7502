package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An ELF object opened by libbpf: its programs and maps, then, after
 * {@link #load()}, the kernel's copies of them. Closing it destroys every
 * link attached through it and releases programs and maps that are not
 * pinned, so nothing of it stays in the kernel. Closing also ends the life
 * of its {@link BpfProgram}s and {@link BpfMap}s: it waits for their calls
 * in flight, and every later use fails with {@link ObjectClosedException}.
 */
public final class BpfObject implements AutoCloseable {
    private static final Pattern FAILED_PROG = Pattern.compile("prog '([^']+)': (?:BPF program load failed|failed to load)");
    private static final Pattern LOG_BLOCK = Pattern.compile(
            "-- BEGIN PROG LOAD LOG --\\n(.*?)-- END PROG LOAD LOG --", Pattern.DOTALL);

    private final String name;
    private Pointer handle;
    /** open_mem reads the ELF in place until load: keep the bytes alive as long as the object. */
    @SuppressWarnings("unused")
    private final Pointer elfBytes;
    private final List<BpfProgram> programs = new ArrayList<>();
    private final List<BpfLink> links = new ArrayList<>();
    private final Lifetime life = new Lifetime();
    private List<BpfMap> maps;
    private volatile boolean loaded;

    private BpfObject(String name, Pointer handle, Pointer elfBytes) {
        this.name = name;
        this.handle = handle;
        this.elfBytes = elfBytes;
        for (Pointer p = Native.BPF.bpf_object__next_program(handle, null); p != null;
             p = Native.BPF.bpf_object__next_program(handle, p)) {
            programs.add(new BpfProgram(this, p));
        }
    }

    public static BpfObject open(Path file) {
        if (!Files.isReadable(file)) {
            throw new LibbpfException("open " + file, 2, "file not found or not readable");
        }
        try {
            ObjectSanity.check(file.toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new LibbpfException("open " + file, 5, e.getMessage());
        }
        LibbpfLog.Captured<Pointer> opened = LibbpfLog.capture(
                () -> Native.BPF.bpf_object__open_file(file.toString(), null));
        int err = Native.errno();
        if (opened.result() == null) {
            throw new LibbpfException("open " + file, err, LibbpfLog.lastLine(opened.log()));
        }
        return new BpfObject(file.getFileName().toString(), opened.result(), null);
    }

    /** Opens an object from bytes (e.g. a resource in the jar), named for messages and the kernel. */
    public static BpfObject open(String name, byte[] elf) {
        return open(name, elf, null);
    }

    /**
     * Opens an object from bytes whose CO-RE relocations resolve against
     * {@code btf} instead of the kernel's BTF (null: the kernel's).
     */
    public static BpfObject open(String name, byte[] elf, CustomBtf btf) {
        ObjectSanity.check(name, elf);
        Pointer buf = Memory.allocateDirect(Native.RUNTIME, Math.max(1, elf.length));
        buf.put(0, elf, 0, elf.length);
        Pointer objectName = cString(name.endsWith(".bpf.o") ? name.substring(0, name.length() - 6) : name);
        Pointer btfPath = btf == null ? null : cString(btf.path().toString());
        Pointer opts = openOpts(objectName, btfPath);
        LibbpfLog.Captured<Pointer> opened = LibbpfLog.capture(
                () -> Native.BPF.bpf_object__open_mem(buf, elf.length, opts));
        int err = Native.errno();
        Reference.reachabilityFence(objectName); // libbpf copies the name and the BTF path during open
        Reference.reachabilityFence(btfPath);
        if (opened.result() == null) {
            throw new LibbpfException("open " + name, err, LibbpfLog.lastLine(opened.log()));
        }
        return new BpfObject(name, opened.result(), buf);
    }

    public static BpfObject openResource(String resource) {
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new LibbpfException("open resource " + resource, 2, "not in the jar");
            }
            String simple = resource.substring(resource.lastIndexOf('/') + 1);
            return open(simple, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * struct bpf_object_open_opts up to object_name (sz 16), or up to
     * btf_custom_path (offset 48, sz 56) when one is given; libbpf accepts a
     * shorter sz from older callers.
     */
    private static Pointer openOpts(Pointer objectName, Pointer btfCustomPath) {
        int size = btfCustomPath == null ? 16 : 56;
        Pointer opts = Memory.allocateDirect(Native.RUNTIME, size, true);
        opts.putLong(0, size);
        opts.putPointer(8, objectName);
        if (btfCustomPath != null) {
            opts.putPointer(48, btfCustomPath);
        }
        return opts;
    }

    private static Pointer cString(String s) {
        byte[] bytes = (s + "\0").getBytes(StandardCharsets.UTF_8);
        Pointer p = Memory.allocateDirect(Native.RUNTIME, bytes.length);
        p.put(0, bytes, 0, bytes.length);
        return p;
    }

    public String name() {
        return name;
    }

    /** The object's own BTF: layouts of its map keys, values and records. */
    public ObjectBtf btf() {
        return new ObjectBtf(this);
    }

    public List<BpfProgram> programs() {
        return Collections.unmodifiableList(programs);
    }

    public Optional<BpfProgram> program(String programName) {
        return programs.stream().filter(p -> p.name().equals(programName)).findFirst();
    }

    /** Map names as the object declares them; usable before load. */
    public List<String> mapNames() {
        return life.use(this, this::mapNamesInLife);
    }

    private List<String> mapNamesInLife() {
        List<String> names = new ArrayList<>();
        for (Pointer m = Native.BPF.bpf_object__next_map(handle(), null); m != null;
             m = Native.BPF.bpf_object__next_map(handle(), m)) {
            names.add(Native.BPF.bpf_map__name(m));
        }
        return names;
    }

    /** Maps as declared, usable before load (for validation). */
    public List<MapSpec> mapSpecs() {
        return life.use(this, this::mapSpecsInLife);
    }

    private List<MapSpec> mapSpecsInLife() {
        List<MapSpec> specs = new ArrayList<>();
        for (Pointer m = Native.BPF.bpf_object__next_map(handle(), null); m != null;
             m = Native.BPF.bpf_object__next_map(handle(), m)) {
            specs.add(new MapSpec(Native.BPF.bpf_map__name(m), BpfMapType.of(Native.BPF.bpf_map__type(m)),
                    Native.BPF.bpf_map__key_size(m), Native.BPF.bpf_map__value_size(m),
                    Native.BPF.bpf_map__max_entries(m), Native.BPF.bpf_map__btf_key_type_id(m),
                    Native.BPF.bpf_map__btf_value_type_id(m)));
        }
        return specs;
    }

    public Optional<MapSpec> mapSpec(String mapName) {
        return mapSpecs().stream().filter(m -> m.name().equals(mapName)).findFirst();
    }

    /**
     * Sets a {@code const volatile} global (in .rodata) before load, as
     * ebpf_exporter's kaddrs do: the verifier then sees it as a constant.
     *
     * @return false when the object has no such variable
     */
    public boolean setReadOnlyGlobal(String variable, byte[] value) {
        return life.use(this, () -> setReadOnlyGlobalInLife(variable, value));
    }

    private boolean setReadOnlyGlobalInLife(String variable, byte[] value) {
        Optional<int[]> where = btf().globalVariable(".rodata", variable);
        if (where.isEmpty()) {
            return false;
        }
        int offset = where.get()[0];
        int size = where.get()[1];
        if (value.length != size) {
            throw new IllegalArgumentException(variable + " is " + size + " bytes, got " + value.length);
        }
        for (Pointer m = Native.BPF.bpf_object__next_map(handle(), null); m != null;
             m = Native.BPF.bpf_object__next_map(handle(), m)) {
            if (Native.BPF.bpf_map__name(m).endsWith(".rodata")) {
                Pointer size64 = Memory.allocateDirect(Native.RUNTIME, 8);
                Pointer data = Native.BPF.bpf_map__initial_value(m, size64);
                if (data == null || offset + size > size64.getLong(0)) {
                    throw new LibbpfException("set " + variable + " in " + name, 22, ".rodata not writable");
                }
                data.put(offset, value, 0, size);
                return true;
            }
        }
        return false;
    }

    /** Changes a map's size before load (a config may size maps for its host). */
    public void setMaxEntries(String mapName, int maxEntries) {
        life.run(this, () -> setMaxEntriesInLife(mapName, maxEntries));
    }

    private void setMaxEntriesInLife(String mapName, int maxEntries) {
        Pointer m = mapHandle(mapName).orElseThrow(
                () -> new LibbpfException("resize map " + mapName + " in " + name, 2, "no such map"));
        int rc = Native.BPF.bpf_map__set_max_entries(m, maxEntries);
        if (rc < 0) {
            throw new LibbpfException("resize map " + mapName, Native.errnoOf(rc));
        }
    }

    /**
     * Makes the object use an existing kernel map (e.g. one pinned by an
     * earlier run) instead of creating its own. Call before load.
     */
    public void reuseMap(String mapName, BpfMap existing) {
        life.run(this, () -> reuseMapInLife(mapName, existing));
    }

    private void reuseMapInLife(String mapName, BpfMap existing) {
        Pointer m = mapHandle(mapName).orElseThrow(
                () -> new LibbpfException("reuse map " + mapName + " in " + name, 2, "no such map"));
        int rc = existing.withFd(fd -> Native.BPF.bpf_map__reuse_fd(m, fd)); // libbpf dups it: ours may close after
        if (rc < 0) {
            throw new LibbpfException("reuse map " + mapName, Native.errnoOf(rc));
        }
    }

    /**
     * Creates the maps and loads every program whose autoload is on.
     *
     * @throws VerifierException when the kernel refuses a program, with its log
     */
    public void load() {
        life.run(this, this::loadInLife);
    }

    private synchronized void loadInLife() {
        if (loaded) {
            return;
        }
        for (BpfProgram p : programs) {
            if (p.autoload()) {
                p.prepareSection(name); // a malformed section fails here, before anything reaches the kernel
            }
        }
        LibbpfLog.Captured<Integer> result = LibbpfLog.capture(() -> Native.BPF.bpf_object__load(handle()));
        int rc = result.result();
        if (rc < 0) {
            int err = Native.errnoOf(rc);
            Matcher block = LOG_BLOCK.matcher(result.log());
            Matcher prog = FAILED_PROG.matcher(result.log());
            String program = prog.find() ? prog.group(1) : null;
            if (block.find()) {
                throw new VerifierException(name, program, err, block.group(1));
            }
            throw new LibbpfException("load " + name + (program == null ? "" : " program " + program), err,
                    LibbpfLog.lastLine(result.log()));
        }
        loaded = true;
    }

    /** Loaded and not closed since. */
    public boolean loaded() {
        return loaded && !life.closed();
    }

    /** The kernel maps of a loaded object. */
    public List<BpfMap> maps() {
        return life.use(this, this::mapsInLife);
    }

    private synchronized List<BpfMap> mapsInLife() {
        requireLoaded();
        if (maps == null) {
            List<BpfMap> list = new ArrayList<>();
            for (Pointer m = Native.BPF.bpf_object__next_map(handle(), null); m != null;
                 m = Native.BPF.bpf_object__next_map(handle(), m)) {
                list.add(BpfMap.ofLoadedObject(m, life));
            }
            maps = Collections.unmodifiableList(list);
        }
        return maps;
    }

    /** Runs {@code call} (a program's libbpf or kernel call) while the object cannot close. */
    <T> T use(Object what, java.util.function.Supplier<T> call) {
        return life.use(what, call);
    }

    public Optional<BpfMap> map(String mapName) {
        return maps().stream().filter(m -> m.name().equals(mapName)).findFirst();
    }

    synchronized void track(BpfLink link) {
        links.add(link);
    }

    synchronized void untrack(BpfLink link) {
        links.remove(link);
    }

    void requireLoaded() {
        life.requireOpen(this);
        if (!loaded) {
            throw new IllegalStateException(name + " is not loaded");
        }
    }

    Pointer handle() {
        life.requireOpen(this);
        return handle;
    }

    private Optional<Pointer> mapHandle(String mapName) {
        for (Pointer m = Native.BPF.bpf_object__next_map(handle(), null); m != null;
             m = Native.BPF.bpf_object__next_map(handle(), m)) {
            if (mapName.equals(Native.BPF.bpf_map__name(m))) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * Waits for calls in flight on the object, its programs and maps, then
     * detaches and frees everything; later uses throw ObjectClosedException.
     */
    @Override
    public void close() {
        life.close(this::release);
    }

    private void release() {
        List<BpfLink> attached;
        synchronized (this) {
            attached = new ArrayList<>(links);
        }
        attached.forEach(BpfLink::close);
        synchronized (this) {
            links.clear();
        }
        Native.BPF.bpf_object__close(handle);
        handle = null;
        loaded = false;
    }

    @Override
    public String toString() {
        return "object " + name;
    }
}
