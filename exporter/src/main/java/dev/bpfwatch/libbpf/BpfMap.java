package dev.bpfwatch.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A BPF map the kernel holds, reached by fd: either a map of a loaded
 * {@link BpfObject} or a pinned map opened with {@link #openPinned}.
 * Values of per-CPU maps come back as one slot per possible CPU, each slot
 * {@link #valueStride()} bytes apart.
 */
public final class BpfMap implements AutoCloseable {
    /** update flags, as in uapi bpf.h */
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;

    private static final int ENOENT = 2;
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0x10000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOTSUPP = 524;
    private static final int BATCH_CHUNK = 4096;

    private final String name;
    private final BpfMapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int btfKeyTypeId;
    private final int btfValueTypeId;
    private final int id;
    private final int fd;
    private final boolean ownsFd;
    /** The object's lifetime for a map of a loaded object (the object closes the fd), else the map's own. */
    private final Lifetime life;
    /** Entries the last packed read found: the next one sizes its arrays by it, not by doubling. */
    private volatile int lastCount;
    /** null until the first walk tells whether the kernel batches this map. */
    private volatile Boolean batchSupported;
    /**
     * Arrays of an earlier read that its reader handed back ({@link #recycle}): the next batch
     * read fills them instead of allocating. On the shipped small heap a 100k-entry map's fresh
     * 1.6 MB per read went straight to the old generation and cost a full collection per read.
     */
    private final java.util.concurrent.atomic.AtomicReference<PackedEntries> spare =
            new java.util.concurrent.atomic.AtomicReference<>();

    private BpfMap(MapInfo info, int fd, Lifetime objectLife) {
        this.name = info.name;
        this.type = BpfMapType.of(info.type);
        this.keySize = info.keySize;
        this.valueSize = info.valueSize;
        this.maxEntries = info.maxEntries;
        this.btfKeyTypeId = info.btfKeyTypeId;
        this.btfValueTypeId = info.btfValueTypeId;
        this.id = info.id;
        this.fd = fd;
        this.ownsFd = objectLife == null;
        this.life = objectLife == null ? new Lifetime() : objectLife;
    }

    /** A map of a loaded object; the object owns the fd, and closing the object ends the map's life. */
    static BpfMap ofLoadedObject(Pointer handle, Lifetime objectLife) {
        int fd = Native.BPF.bpf_map__fd(handle);
        if (fd < 0) {
            throw new LibbpfException("map " + Native.BPF.bpf_map__name(handle) + " fd", Native.errnoOf(fd));
        }
        MapInfo info = MapInfo.read(fd);
        info.name = Native.BPF.bpf_map__name(handle); // the kernel truncates names to 15 bytes
        return new BpfMap(info, fd, objectLife);
    }

    /** Opens a map pinned in bpffs; close it when done. */
    public static BpfMap openPinned(String path) {
        int fd = Native.BPF.bpf_obj_get(path);
        if (fd < 0) {
            throw new LibbpfException("open pinned map " + path, Native.errnoOf(fd));
        }
        try {
            if (!isMap(fd)) {
                // Map info read from a program's fd would be the program's info misread.
                throw new LibbpfException("open pinned map " + path, EINVAL, "the pin is not a map");
            }
            return new BpfMap(MapInfo.read(fd), fd, null);
        } catch (RuntimeException e) {
            Native.LIBC.close(fd);
            throw e;
        }
    }

    /**
     * Creates a map no object describes (bpf_map_create); the caller owns it.
     * Names longer than the kernel's 15 bytes are cut.
     */
    public static BpfMap create(BpfMapType type, String name, int keySize, int valueSize, int maxEntries) {
        String kernelName = name.length() > 15 ? name.substring(0, 15) : name;
        int fd = Native.BPF.bpf_map_create(type.ordinal(), kernelName, keySize, valueSize, maxEntries, null);
        if (fd < 0) {
            throw new LibbpfException("create " + type + " map " + name, Native.errnoOf(fd));
        }
        try {
            return new BpfMap(MapInfo.read(fd), fd, null);
        } catch (RuntimeException e) {
            Native.LIBC.close(fd);
            throw e;
        }
    }

    /**
     * Puts {@code program} in slot {@code index} of this PROG_ARRAY, where a
     * tail call finds it, replacing what was there. {@code flags}: BPF_ANY
     * (the kernel takes no other for prog arrays: there is no atomic
     * "only into an empty slot").
     */
    public void setProgram(int index, RawProgram program, long flags) {
        if (type != BpfMapType.PROG_ARRAY) {
            throw new IllegalStateException("map " + name + " is a " + type + ", not a PROG_ARRAY");
        }
        Pointer key = Memory.allocateDirect(Native.RUNTIME, 4);
        key.putInt(0, index);
        Pointer value = Memory.allocateDirect(Native.RUNTIME, 4);
        value.putInt(0, program.fd());
        int rc = life.useInt(this, () -> Native.BPF.bpf_map_update_elem(fd, key, value, flags));
        if (rc < 0) {
            throw new LibbpfException("insert program " + program.name() + " into slot " + index + " of " + name,
                    Native.errnoOf(rc));
        }
    }

    public String name() {
        return name;
    }

    public BpfMapType type() {
        return type;
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int btfKeyTypeId() {
        return btfKeyTypeId;
    }

    public int btfValueTypeId() {
        return btfValueTypeId;
    }

    /** The kernel's id for this map (as bpftool map list shows it). */
    public int id() {
        return id;
    }

    /** Bytes between two CPUs' values in a per-CPU lookup; {@link #valueSize()} otherwise. */
    public int valueStride() {
        return type.perCpu() ? (valueSize + 7) & ~7 : valueSize;
    }

    /** Size of a whole value as lookups return it (all CPUs for per-CPU maps). */
    public int lookupValueSize() {
        return type.perCpu() ? valueStride() * Cpus.possible() : valueSize;
    }

    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        try (NativeBuffer k = NativeBuffer.allocate(key.length);
                NativeBuffer v = NativeBuffer.allocate(lookupValueSize())) {
            k.pointer().put(0, key, 0, key.length);
            int rc = life.useInt(this, () -> Native.BPF.bpf_map_lookup_elem(fd, k.pointer(), v.pointer()));
            if (rc < 0) {
                int err = Native.errnoOf(rc);
                if (err == ENOENT) {
                    return Optional.empty();
                }
                throw new LibbpfException("lookup in map " + name, err);
            }
            return Optional.of(copyOut(v.pointer(), lookupValueSize()));
        }
    }

    public void update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        if (value.length != lookupValueSize()) {
            throw new IllegalArgumentException("map " + name + ": value is " + value.length
                    + " bytes, expected " + lookupValueSize());
        }
        Pointer k = copyIn(key);
        Pointer v = copyIn(value);
        int rc = life.useInt(this, () -> Native.BPF.bpf_map_update_elem(fd, k, v, flags));
        if (rc < 0) {
            throw new LibbpfException("update map " + name, Native.errnoOf(rc));
        }
    }

    /**
     * Sets the value a BPF_MAP_TYPE_CGRP_STORAGE map keeps for one cgroup:
     * such maps are keyed by an open fd of the cgroup's directory.
     */
    public void updateCgroupStorage(java.nio.file.Path cgroupDir, byte[] value) {
        int cgroupFd = Native.LIBC.open(cgroupDir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cgroupFd < 0) {
            throw new LibbpfException("open cgroup " + cgroupDir, Native.errno());
        }
        try {
            byte[] key = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(cgroupFd).array();
            update(key, value, BPF_ANY);
        } finally {
            Native.LIBC.close(cgroupFd);
        }
    }

    /** @return false when the key was not there */
    public boolean delete(byte[] key) {
        checkKey(key);
        Pointer k = copyIn(key);
        int rc = life.useInt(this, () -> Native.BPF.bpf_map_delete_elem(fd, k));
        if (rc < 0) {
            int err = Native.errnoOf(rc);
            if (err == ENOENT) {
                return false;
            }
            throw new LibbpfException("delete from map " + name, err);
        }
        return true;
    }

    /** The key after {@code key}, or the first key when {@code key} is null; empty at the end. */
    public Optional<byte[]> nextKey(byte[] key) {
        Pointer k = key == null ? null : copyIn(checkKey(key));
        Pointer next = Memory.allocateDirect(Native.RUNTIME, keySize);
        int rc = life.useInt(this, () -> Native.BPF.bpf_map_get_next_key(fd, k, next));
        if (rc < 0) {
            int err = Native.errnoOf(rc);
            if (err == ENOENT) {
                return Optional.empty();
            }
            throw new LibbpfException("next key in map " + name, err);
        }
        return Optional.of(copyOut(next, keySize));
    }

    /**
     * Every entry, read with BPF_MAP_LOOKUP_BATCH (a few syscalls for the
     * whole map) where the kernel batches this map type, key by key otherwise.
     */
    public List<Entry> entries() {
        return life.use(this, this::entriesInLife);
    }

    private List<Entry> entriesInLife() {
        if (!Boolean.FALSE.equals(batchSupported)) {
            Optional<List<Entry>> batched = entriesBatched();
            if (batched.isPresent()) {
                batchSupported = Boolean.TRUE;
                return batched.get();
            }
            batchSupported = Boolean.FALSE;
        }
        return entriesKeyByKeyInLife();
    }

    /**
     * Every entry in two arrays (keys, values), read with BPF_MAP_LOOKUP_BATCH
     * where the kernel batches this map type, key by key otherwise. What a
     * scrape uses: no object per entry.
     */
    public PackedEntries readPacked() {
        return life.use(this, this::readPackedInLife);
    }

    private PackedEntries readPackedInLife() {
        if (!Boolean.FALSE.equals(batchSupported)) {
            Optional<PackedEntries> batched = packedBatched();
            if (batched.isPresent()) {
                batchSupported = Boolean.TRUE;
                return batched.get();
            }
            batchSupported = Boolean.FALSE;
        }
        return PackedEntries.of(entriesKeyByKeyInLife());
    }

    /**
     * Hands back the arrays of a {@link #readPacked()} whose reader, and everyone it shared them
     * with, is done with them: the next read may overwrite them. Never call it for a read still
     * in use. Arrays of another shape, or of the key-by-key path, are only dropped.
     */
    public void recycle(PackedEntries read) {
        if (read != null && read.keySize() == keySize && read.valueSize() == lookupValueSize()) {
            spare.set(read);
        }
    }

    /** Whether the last {@link #entries()} could use batch lookup; null before the first. */
    public Boolean batchSupported() {
        return batchSupported;
    }

    /**
     * Two syscalls an entry: the path for maps the kernel cannot batch. When
     * the key the walk stands on is deleted meanwhile, get_next_key starts
     * over from the first key: keys already read are skipped (never counted
     * twice), and the walk stops after a number of steps bounded by
     * max_entries, so a map under heavy churn cannot keep a scrape walking.
     */
    public List<Entry> entriesKeyByKey() {
        return life.use(this, this::entriesKeyByKeyInLife);
    }

    private List<Entry> entriesKeyByKeyInLife() {
        List<Entry> out = new ArrayList<>();
        java.util.Set<ByteBuffer> seen = new java.util.HashSet<>();
        try (NativeBuffer keyBuffer = NativeBuffer.allocate(keySize);
                NativeBuffer nextBuffer = NativeBuffer.allocate(keySize);
                NativeBuffer valueBuffer = NativeBuffer.allocate(lookupValueSize())) {
            return walk(out, seen, keyBuffer.pointer(), nextBuffer.pointer(), valueBuffer.pointer());
        }
    }

    private List<Entry> walk(List<Entry> out, java.util.Set<ByteBuffer> seen, Pointer key, Pointer next,
            Pointer value) {
        Pointer current = null;
        // Each restart re-walks what was read: allow a few of them, then give the partial result.
        long steps = 4L * maxEntries + 16;
        while (steps-- > 0) {
            int rc = Native.BPF.bpf_map_get_next_key(fd, current, next);
            if (rc < 0) {
                int err = Native.errnoOf(rc);
                if (err == ENOENT) {
                    return out;
                }
                throw new LibbpfException("next key in map " + name, err);
            }
            next.transferTo(0, key, 0, keySize);
            current = key;
            byte[] k = copyOut(key, keySize);
            if (!seen.add(ByteBuffer.wrap(k))) {
                continue; // read before a restart
            }
            rc = Native.BPF.bpf_map_lookup_elem(fd, key, value);
            if (rc < 0) {
                int err = Native.errnoOf(rc);
                if (err == ENOENT) {
                    continue; // deleted between the two calls
                }
                throw new LibbpfException("lookup in map " + name, err);
            }
            out.add(new Entry(k, copyOut(value, lookupValueSize())));
        }
        return out;
    }

    /** Empty when this kernel cannot batch this map type. */
    private Optional<List<Entry>> entriesBatched() {
        return packedBatched().map(PackedEntries::entries); // one batch loop serves both forms
    }

    /** Empty when this kernel cannot batch this map type. */
    private Optional<PackedEntries> packedBatched() {
        int valueBytes = lookupValueSize();
        int chunk = Math.max(1, Math.min(BATCH_CHUNK, maxEntries));
        int tokenSize = Math.max(keySize, 8);
        try (NativeBuffer inBatch = NativeBuffer.allocate(tokenSize);
                NativeBuffer outBatch = NativeBuffer.allocate(tokenSize);
                NativeBuffer count = NativeBuffer.allocate(4);
                BatchBuffers chunkBuffers = new BatchBuffers(chunk, keySize, valueBytes)) {
            // Sized by the last read (plus room to grow), else one chunk, and grown
            // by doubling: a large map that holds few entries costs little, and a
            // steady one is read without a copy.
            int expected = (int) Math.min(maxEntries, Math.max(chunk, lastCount + lastCount / 8L));
            PackedEntries reuse = spare.getAndSet(null);
            byte[] keyArray;
            byte[] valueArray;
            // Reused when it fits, and not when it is far larger than the map now is: a map that
            // shrank from a million entries should not keep a million entries' arrays.
            int spareRoom = reuse == null ? 0
                    : Math.min(reuse.keys().length / keySize, reuse.values().length / valueBytes);
            if (reuse != null && reuse.keySize() == keySize && reuse.valueSize() == valueBytes
                    && spareRoom >= expected && spareRoom <= 2L * expected + chunk) {
                keyArray = reuse.keys();
                valueArray = reuse.values();
            } else {
                keyArray = new byte[expected * keySize];
                valueArray = new byte[expected * valueBytes];
            }
            int total = 0;
            boolean first = true;
            while (true) {
                count.pointer().putInt(0, chunkBuffers.chunk());
                int rc = Native.BPF.bpf_map_lookup_batch(fd, first ? null : inBatch.pointer(), outBatch.pointer(),
                        chunkBuffers.keys(), chunkBuffers.values(), count.pointer(), null);
                int err = rc < 0 ? Native.errnoOf(rc) : 0;
                if (err != 0 && err != ENOENT) {
                    if (err == ENOSPC && chunkBuffers.chunk() < Integer.MAX_VALUE / 2) {
                        // One hash bucket holds more entries than the chunk: grow and retry the same bucket.
                        chunkBuffers.grow();
                        continue;
                    }
                    if (first && (err == EINVAL || err == ENOTSUPP || err == EOPNOTSUPP)) {
                        return Optional.empty();
                    }
                    throw new LibbpfException("batch lookup in map " + name, err);
                }
                int n = count.pointer().getInt(0);
                int capacity = keyArray.length / keySize;
                if (total + n > capacity) {
                    int grown = (int) Math.max(total + n, Math.min(2L * capacity, maxEntries));
                    keyArray = java.util.Arrays.copyOf(keyArray, grown * keySize);
                    valueArray = java.util.Arrays.copyOf(valueArray, grown * valueBytes);
                }
                chunkBuffers.keys().get(0, keyArray, total * keySize, n * keySize);
                chunkBuffers.values().get(0, valueArray, total * valueBytes, n * valueBytes);
                total += n;
                if (err == ENOENT) {
                    lastCount = total;
                    return Optional.of(new PackedEntries(keyArray, valueArray, total, keySize, valueBytes));
                }
                outBatch.pointer().transferTo(0, inBatch.pointer(), 0, tokenSize);
                first = false;
            }
        }
    }

    /** The keys and values one batch call fills, grown when a hash bucket does not fit. */
    private static final class BatchBuffers implements AutoCloseable {
        private final int keySize;
        private final int valueBytes;
        private int chunk;
        private NativeBuffer keys;
        private NativeBuffer values;

        BatchBuffers(int chunk, int keySize, int valueBytes) {
            this.keySize = keySize;
            this.valueBytes = valueBytes;
            this.chunk = chunk;
            allocate();
        }

        private void allocate() {
            keys = NativeBuffer.allocate((long) chunk * keySize);
            values = NativeBuffer.allocate((long) chunk * valueBytes);
        }

        void grow() {
            close();
            chunk *= 2;
            allocate();
        }

        int chunk() {
            return chunk;
        }

        Pointer keys() {
            return keys.pointer();
        }

        Pointer values() {
            return values.pointer();
        }

        @Override
        public void close() {
            keys.close();
            values.close();
        }
    }

    public void pin(String path) {
        int rc = life.useInt(this, () -> Native.BPF.bpf_obj_pin(fd, path));
        if (rc < 0) {
            throw new LibbpfException("pin map " + name + " at " + path, Native.errnoOf(rc));
        }
    }

    /** Sums a per-CPU u64 value across CPUs, or reads a plain u64 value (little-endian, as the kernel writes it). */
    public long sumU64(byte[] value, int offset) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        if (!type.perCpu()) {
            return b.getLong(offset);
        }
        long sum = 0;
        for (int cpu = 0; cpu < value.length / valueStride(); cpu++) {
            sum += b.getLong(cpu * valueStride() + offset);
        }
        return sum;
    }

    /** The kernel lists a map's fd with map_type in fdinfo, a program's with prog_type. */
    private static boolean isMap(int fd) {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/fdinfo/" + fd)).stream()
                    .anyMatch(l -> l.startsWith("map_type:"));
        } catch (java.io.IOException e) {
            return true; // no procfs: let the info call decide
        }
    }

    /**
     * Fd for calls outside libbpf inside this package (socket options,
     * map-in-map). Checked, not held: where the map may close meanwhile,
     * use {@link #withFd}.
     */
    int fd() {
        life.requireOpen(this);
        return fd;
    }

    /** Runs {@code call} with the fd, which stays open until it returns. */
    int withFd(java.util.function.IntUnaryOperator call) {
        return life.useInt(this, () -> call.applyAsInt(fd));
    }

    /**
     * Closes the fd of a pinned or created map: waits for calls in flight, and
     * every later use fails with {@link ObjectClosedException}. A map of an
     * object lives as long as the object: closing the object closes it.
     */
    @Override
    public void close() {
        if (ownsFd) {
            life.close(() -> Native.LIBC.close(fd));
        }
    }

    @Override
    public String toString() {
        return "map " + name;
    }

    private byte[] checkKey(byte[] key) {
        if (key.length != keySize) {
            throw new IllegalArgumentException("map " + name + ": key is " + key.length
                    + " bytes, expected " + keySize);
        }
        return key;
    }

    private static Pointer copyIn(byte[] bytes) {
        Pointer p = Memory.allocateDirect(Native.RUNTIME, Math.max(1, bytes.length));
        p.put(0, bytes, 0, bytes.length);
        return p;
    }

    private static byte[] copyOut(Pointer p, int length) {
        byte[] out = new byte[length];
        p.get(0, out, 0, length);
        return out;
    }

    /** One key and its value, copied out of the kernel. */
    public record Entry(byte[] key, byte[] value) {
    }

    /** struct bpf_map_info, the fields bpfwatch reads. */
    static final class MapInfo {
        private static final int SIZE = 96;
        int type;
        int id;
        int keySize;
        int valueSize;
        int maxEntries;
        int mapFlags;
        String name;
        int btfKeyTypeId;
        int btfValueTypeId;

        static MapInfo read(int fd) {
            try (NativeBuffer infoBuffer = NativeBuffer.zeroed(SIZE); NativeBuffer lenBuffer = NativeBuffer.allocate(4)) {
                return read(fd, infoBuffer.pointer(), lenBuffer.pointer());
            }
        }

        private static MapInfo read(int fd, Pointer info, Pointer len) {
            len.putInt(0, SIZE);
            int rc = Native.BPF.bpf_obj_get_info_by_fd(fd, info, len);
            if (rc < 0) {
                throw new LibbpfException("map info", Native.errnoOf(rc));
            }
            MapInfo m = new MapInfo();
            m.type = info.getInt(0);
            m.id = info.getInt(4);
            m.keySize = info.getInt(8);
            m.valueSize = info.getInt(12);
            m.maxEntries = info.getInt(16);
            m.mapFlags = info.getInt(20);
            m.name = info.getString(24, 16, java.nio.charset.StandardCharsets.US_ASCII);
            m.btfKeyTypeId = info.getInt(68);
            m.btfValueTypeId = info.getInt(72);
            return m;
        }
    }
}
