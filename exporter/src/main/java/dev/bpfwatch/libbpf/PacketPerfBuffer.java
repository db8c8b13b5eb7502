package dev.bpfwatch.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongConsumer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A PERF_EVENT_ARRAY of its own (one ring per possible CPU) for programs
 * that emit many samples, such as captured packets, with the wakeup policy
 * set here: libbpf's perf_buffer__new wakes the reader on every sample,
 * about 1 us a packet on this kind of machine, while a wakeup every 64
 * samples costs about 120 ns (DESIGN.md).
 *
 * <p>libbpf sets the rings up (perf_buffer__new_raw: events, mmap, map
 * slots, epoll), but the rings are read here, not through libbpf's
 * per-sample callback: an upcall from C into Java per sample costs more
 * than the rest of the reading together, so each ring's waiting records
 * are copied out in one piece (at most two, where they wrap) and split in
 * Java. The reader waits on libbpf's epoll fd, which never consumes; a ring
 * below its wakeup point is still read within {@link #POLL_MS}. Closing
 * stops the reader, drains what is left, then frees the rings: nothing
 * written before close is lost.
 */
public final class PacketPerfBuffer implements PacketRing {
    /** Upper bound on the delay of a sample in a ring that never reaches its wakeup point. */
    public static final int POLL_MS = 100;
    private static final int PAGE = 4096;
    private static final int ATTR_SIZE = 128;
    private static final int PERF_TYPE_SOFTWARE = 1;
    private static final int PERF_COUNT_SW_BPF_OUTPUT = 10;
    private static final long PERF_SAMPLE_RAW = 1 << 10;
    private static final long WATERMARK_BIT = 1L << 14;
    private static final int PERF_RECORD_LOST = 2;
    private static final int PERF_RECORD_SAMPLE = 9;
    private static final int LIBBPF_PERF_EVENT_CONT = -2;
    // struct perf_event_mmap_page
    private static final int DATA_HEAD = 1024;
    private static final int DATA_TAIL = 1032;
    private static final int DATA_OFFSET = 1040;
    private static final int DATA_SIZE = 1048;
    private static final int EPOLL_EVENT_SIZE = 12;

    /**
     * Receives one sample's bytes (what the program passed to bpf_perf_event_output, padded to 8) as
     * a view into the reader's buffer, valid only during the call: the sink copies what it keeps.
     * No array per sample keeps the reader's garbage, and so its collector pauses, independent of
     * the packet rate.
     */
    public interface SampleSink {
        void sample(int cpu, byte[] buffer, int offset, int length);
    }

    private final BpfMap map;
    private final Pointer buffer;
    // Held so the native callback stays reachable while libbpf holds it (it is never called: see read()).
    private final LibbpfNative.PerfRawCallback callback;
    private final Pointer[] rings;
    private final SampleSink sink;
    private final LongConsumer onLost;
    private final Thread poller;
    /** Bytes of a ring read before its space is handed back: at least one record (at most 64 KiB). */
    private static final int STEP = 256 * 1024;
    private final byte[] chunk = new byte[STEP];
    private volatile boolean closing;
    private boolean freed;

    private PacketPerfBuffer(BpfMap map, Pointer buffer, LibbpfNative.PerfRawCallback callback, SampleSink sink,
                             LongConsumer onLost) {
        this.map = map;
        this.buffer = buffer;
        this.callback = callback;
        this.sink = sink;
        this.onLost = onLost;
        int n = (int) Native.BPF.perf_buffer__buffer_cnt(buffer);
        this.rings = new Pointer[n];
        Pointer base = Memory.allocateDirect(Native.RUNTIME, 8);
        Pointer size = Memory.allocateDirect(Native.RUNTIME, 8);
        for (int i = 0; i < n; i++) {
            int rc = Native.BPF.perf_buffer__buffer(buffer, i, base, size);
            if (rc < 0) {
                throw new LibbpfException("perf ring " + i + " of " + map.name(), Native.errnoOf(rc));
            }
            // libbpf reports the data pages' size; the mapping also holds the header page before them.
            rings[i] = Pointer.wrap(Native.RUNTIME, base.getAddress(0), size.getLong(0) + PAGE);
        }
        this.poller = new Thread(this::poll, "perf-packets-" + map.name());
        this.poller.setDaemon(true);
    }

    /**
     * Creates the map and its rings and starts reading.
     *
     * @param bytesPerCpu ring size per CPU; rounded up to a power of two pages
     * @param wakeupEvents wake the reader every this many samples, when {@code watermarkBytes} is 0
     * @param watermarkBytes wake the reader when this many bytes wait in a ring (0: count samples instead)
     */
    public static PacketPerfBuffer start(String name, long bytesPerCpu, int wakeupEvents, int watermarkBytes,
                                         SampleSink sink, LongConsumer onLost) {
        int cpus = Cpus.possible();
        BpfMap map = BpfMap.create(BpfMapType.PERF_EVENT_ARRAY, name, 4, 4, cpus);
        Pointer opened = null;
        try {
            Pointer attr = Memory.allocateDirect(Native.RUNTIME, ATTR_SIZE, true);
            attr.putInt(0, PERF_TYPE_SOFTWARE);
            attr.putInt(4, ATTR_SIZE);
            attr.putLong(8, PERF_COUNT_SW_BPF_OUTPUT);
            attr.putLong(16, 1); // sample_period: every output is a sample
            attr.putLong(24, PERF_SAMPLE_RAW);
            if (watermarkBytes > 0) {
                attr.putLong(40, WATERMARK_BIT);
                attr.putInt(48, watermarkBytes);
            } else {
                attr.putInt(48, Math.max(1, wakeupEvents));
            }
            LibbpfNative.PerfRawCallback callback = (ctx, cpu, header) -> LIBBPF_PERF_EVENT_CONT;
            LibbpfLog.Captured<Pointer> result = LibbpfLog.capture(
                    () -> Native.BPF.perf_buffer__new_raw(map.fd(), pages(bytesPerCpu), attr, callback, null, null));
            int err = Native.errno();
            if (result.result() == null) {
                throw new LibbpfException("open perf rings of " + name, err, LibbpfLog.lastLine(result.log()));
            }
            opened = result.result();
            PacketPerfBuffer b = new PacketPerfBuffer(map, opened, callback, sink, onLost);
            b.poller.start();
            return b;
        } catch (RuntimeException e) {
            if (opened != null) {
                Native.BPF.perf_buffer__free(opened);
            }
            map.close();
            throw e;
        }
    }

    /** Pages per CPU: the kernel wants a power of two. */
    static long pages(long bytes) {
        long pages = Math.max(1, (bytes + PAGE - 1) / PAGE);
        return Long.highestOneBit(pages) == pages ? pages : Long.highestOneBit(pages) << 1;
    }

    /** The PERF_EVENT_ARRAY programs write to (BPF_F_CURRENT_CPU). */
    @Override
    public BpfMap map() {
        return map;
    }

    private void poll() {
        int epollFd = Native.BPF.perf_buffer__epoll_fd(buffer);
        Pointer events = Memory.allocateDirect(Native.RUNTIME, (long) EPOLL_EVENT_SIZE * rings.length);
        while (!closing) {
            if (drain() == 0) {
                Native.LIBC.epoll_wait(epollFd, events, rings.length, POLL_MS);
            }
        }
    }

    /** Reads every ring up to its head; @return records read. */
    private int drain() {
        int records = 0;
        for (int i = 0; i < rings.length; i++) {
            records += read(i);
        }
        return records;
    }

    /**
     * The kernel writes records at data_head, we read from data_tail and
     * hand the space back by moving data_tail. x86-64 keeps loads in order
     * and stores after loads, and each native access here is a call the JIT
     * does not reorder, which is the ordering the ring needs.
     *
     * <p>A backlog is read {@link #STEP} bytes at a time and its space handed
     * back after each step: copying and writing out a whole 4 MiB ring before
     * moving data_tail left the kernel a full ring, and dropping, for as long
     * as that took.
     */
    private int read(int cpu) {
        Pointer ring = rings[cpu];
        long head = ring.getLong(DATA_HEAD);
        long tail = ring.getLong(DATA_TAIL);
        if (head == tail) {
            return 0;
        }
        long dataOffset = ring.getLong(DATA_OFFSET);
        long dataSize = ring.getLong(DATA_SIZE);
        int records = 0;
        while (tail != head) {
            int length = (int) Math.min(head - tail, STEP);
            long from = tail % dataSize;
            int first = (int) Math.min(length, dataSize - from);
            ring.get(dataOffset + from, chunk, 0, first);
            if (first < length) {
                ring.get(dataOffset, chunk, first, length - first);
            }
            long split = split(cpu, chunk, length, sink);
            int consumed = (int) (split >> 32);
            records += (int) split;
            // Not one whole record in the step (cannot happen: a record is at most 64 KiB), or a
            // malformed one: skip to the head rather than loop on it.
            tail = consumed <= 0 ? head : tail + consumed;
            ring.putLong(DATA_TAIL, tail);
        }
        return records;
    }

    /**
     * Hands every whole record in {@code buf[0, length)} to the sink (samples) or to onLost.
     *
     * @return bytes of the whole records read (-1 when a record is malformed) in the high 32 bits,
     *         records handed on in the low 32
     */
    private long split(int cpu, byte[] buf, int length, SampleSink to) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.nativeOrder());
        int records = 0;
        int at = 0;
        while (at + 8 <= length) {
            int type = b.getInt(at);
            int size = b.getShort(at + 6) & 0xffff;
            if (size < 8) {
                return (-1L << 32) | records; // cannot happen with a sane kernel; never loop on it
            }
            if (at + size > length) {
                break; // the rest of it comes with the next step
            }
            try {
                if (type == PERF_RECORD_SAMPLE) {
                    int raw = b.getInt(at + 8);
                    to.sample(cpu, buf, at + 12, Math.min(raw, size - 12));
                } else if (type == PERF_RECORD_LOST) {
                    onLost.accept(b.getLong(at + 16));
                }
            } catch (RuntimeException e) {
                // a sample the sink cannot take is skipped; the ring must still move on
            }
            records++;
            at += size;
        }
        return ((long) at << 32) | records;
    }

    /**
     * Runs the record loop over {@code rounds} batches of copies of {@code sample}, handed to
     * {@code to}, before any packet arrives: the JIT then compiles the loop and the sink's path
     * while nothing can be lost. A fresh capture that met a flood still interpreted the first
     * samples, and lost some.
     */
    @Override
    public void warmUp(byte[] sample, int rounds, SampleSink to) {
        int raw = (sample.length + 4 + 7) / 8 * 8 - 4; // 8 header + 4 size + raw: a multiple of 8
        int recordSize = 12 + raw;
        int perRound = Math.max(1, Math.min(STEP / recordSize, 256));
        byte[] synthetic = new byte[perRound * recordSize];
        ByteBuffer b = ByteBuffer.wrap(synthetic).order(ByteOrder.nativeOrder());
        for (int i = 0; i < perRound; i++) {
            int at = i * recordSize;
            b.putInt(at, PERF_RECORD_SAMPLE);
            b.putShort(at + 6, (short) recordSize);
            b.putInt(at + 8, raw);
            System.arraycopy(sample, 0, synthetic, at + 12, sample.length);
        }
        for (int r = 0; r < rounds; r++) {
            split(0, synthetic, synthetic.length, to);
        }
    }

    /** Stops reading after draining every ring; the sink sees no sample after this returns. */
    @Override
    public synchronized void close() {
        if (freed) {
            return;
        }
        closing = true;
        if (Pollers.stopped(poller, 5L * POLL_MS + 2000)) {
            drain();
            Native.BPF.perf_buffer__free(buffer);
            freed = true;
        }
        map.close();
    }
}
