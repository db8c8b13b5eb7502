package dev.bpfwatch.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A BPF_MAP_TYPE_RINGBUF of its own for programs that emit many samples,
 * such as captured packets: one ring all CPUs share, read in place from its
 * mapping. The programs decide when the reader is woken (BPF_RB_NO_WAKEUP
 * but for a full ring), so the kernel side of a sample is a reserve, a copy
 * and a submit, with no wakeup per packet.
 *
 * <p>Not read through libbpf's ring_buffer__poll: it calls back into Java
 * once per record, which costs more than the rest of the reading together.
 * The ring's pages are mapped here (consumer page read-write, producer page
 * and data pages read-only, the data pages mapped twice in a row by the
 * kernel so no record wraps), committed records are found by their headers,
 * copied out in one piece and split in Java, and the consumer position is
 * moved after each step. While records keep coming the reader looks again
 * every {@link #BUSY_PERIOD_NS}; when the ring is empty it sleeps in poll(2)
 * on the map's fd (readable while records wait) until the programs wake it
 * (the ring filled up to their mark) or {@link #POLL_MS} passes. Closing stops the reader, drains what is left, then
 * unmaps: nothing committed before close is lost.
 */
public final class PacketRingBuffer implements PacketRing {
    /** Upper bound on the delay of a record the programs did not wake the reader for. */
    public static final int POLL_MS = 100;
    /** The pause between two looks at the ring while records keep coming. */
    public static final long BUSY_PERIOD_NS = 1_000_000;
    private static final int PAGE = 4096;
    // include/uapi/linux/bpf.h: the 8-byte header before each record
    private static final int RECORD_HEADER = 8;
    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final long MAP_FAILED = -1;
    private static final long SYS_MMAP = 9;
    private static final long SYS_MUNMAP = 11;
    private static final short POLLIN = 1;
    /** Bytes copied out before the space is handed back (grown for a single larger record). */
    private static final int STEP = 256 * 1024;

    private final BpfMap map;
    private final long dataBytes;
    private final long mask;
    private final long consumerAddress;
    private final long producerAddress;
    private final Pointer consumer;
    /** The producer page, then the data pages twice. */
    private final Pointer producer;
    private final PacketPerfBuffer.SampleSink sink;
    private final Thread poller;
    private byte[] chunk = new byte[STEP];
    private volatile boolean closing;
    private boolean unmapped;

    private PacketRingBuffer(BpfMap map, long dataBytes, long consumerAddress, long producerAddress,
                             PacketPerfBuffer.SampleSink sink) {
        this.map = map;
        this.dataBytes = dataBytes;
        this.mask = dataBytes - 1;
        this.consumerAddress = consumerAddress;
        this.producerAddress = producerAddress;
        this.consumer = Pointer.wrap(Native.RUNTIME, consumerAddress, PAGE);
        this.producer = Pointer.wrap(Native.RUNTIME, producerAddress, PAGE + 2 * dataBytes);
        this.sink = sink;
        this.poller = new Thread(this::poll, "ring-packets-" + map.name());
        this.poller.setDaemon(true);
    }

    /**
     * Creates the map, maps its pages and starts reading.
     *
     * @param bytes ring size; rounded up to a power of two pages
     * @throws LibbpfException when the kernel has no ring buffers (before 5.8) or refuses the size
     */
    public static PacketRingBuffer start(String name, long bytes, PacketPerfBuffer.SampleSink sink) {
        long size = PacketPerfBuffer.pages(bytes) * PAGE;
        if (size > (1L << 30)) {
            throw new IllegalArgumentException("ring of " + size + " bytes: more than 2^30");
        }
        BpfMap map = BpfMap.create(BpfMapType.RINGBUF, name, 0, 0, (int) size);
        long cons = MAP_FAILED;
        try {
            cons = mmap(PAGE, PROT_READ | PROT_WRITE, map.fd(), 0);
            if (cons == MAP_FAILED) {
                throw new LibbpfException("map the consumer page of " + name, Native.errno());
            }
            long prod = mmap(PAGE + 2 * size, PROT_READ, map.fd(), PAGE);
            if (prod == MAP_FAILED) {
                throw new LibbpfException("map the data pages of " + name, Native.errno());
            }
            PacketRingBuffer b = new PacketRingBuffer(map, size, cons, prod, sink);
            b.poller.start();
            return b;
        } catch (RuntimeException e) {
            if (cons != MAP_FAILED) {
                munmap(cons, PAGE);
            }
            map.close();
            throw e;
        }
    }

    private static long mmap(long length, int prot, int fd, long offset) {
        return Native.LIBC.syscall(SYS_MMAP, 0, length, prot, MAP_SHARED, fd, offset);
    }

    private static void munmap(long address, long length) {
        Native.LIBC.syscall(SYS_MUNMAP, address, length, 0, 0, 0, 0);
    }

    /** The RINGBUF map programs reserve records in. */
    @Override
    public BpfMap map() {
        return map;
    }

    /** Bytes of data pages (the size the map was created with). */
    public long dataBytes() {
        return dataBytes;
    }

    private void poll() {
        Pointer pollFd = Memory.allocateDirect(Native.RUNTIME, 8, true);
        pollFd.putInt(0, map.fd());
        pollFd.putShort(4, POLLIN);
        while (!closing) {
            if (drain() > 0) {
                // Packets are coming: look again in a moment rather than be woken. Records
                // gather meanwhile, and the senders pay for no wakeup (see CaptureProgram).
                LockSupport.parkNanos(BUSY_PERIOD_NS);
            } else {
                Native.LIBC.poll(pollFd, 1, POLL_MS);
            }
        }
    }

    /**
     * Reads every committed record up to the producer position; @return records read.
     *
     * <p>The kernel commits a record by clearing the busy bit of its header with a store-release
     * after writing it; a record still busy ends the step (records are consumed in order).
     * x86-64 keeps loads in order and stores after loads, and each native access here is a call
     * the JIT does not reorder: reading a header before copying the record, and copying before
     * moving the consumer position, is the ordering the ring needs.
     */
    private int drain() {
        long cons = consumer.getLong(0);
        long prod = producer.getLong(0);
        int records = 0;
        while (cons < prod) {
            long end = cons;
            while (end < prod) {
                int header = producer.getInt(PAGE + (end & mask));
                if ((header & BUSY_BIT) != 0) {
                    break;
                }
                long record = align8((header & ~(BUSY_BIT | DISCARD_BIT)) + RECORD_HEADER);
                if (end > cons && end - cons + record > chunk.length) {
                    break; // this one comes with the next step
                }
                end += record;
            }
            if (end == cons) {
                break; // the next record is not committed yet
            }
            int length = (int) (end - cons);
            if (length > chunk.length) {
                chunk = new byte[length]; // one record larger than a step (a large snap length)
            }
            // The data pages are mapped twice in a row: [cons & mask, + length) never runs off the end.
            producer.get(PAGE + (cons & mask), chunk, 0, length);
            records += split(chunk, length, sink);
            cons = end;
            consumer.putLong(0, cons);
            prod = producer.getLong(0);
        }
        return records;
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /** Hands every committed, not discarded record in {@code buf[0, length)} to {@code to}; @return records. */
    private static int split(byte[] buf, int length, PacketPerfBuffer.SampleSink to) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.nativeOrder());
        int records = 0;
        int at = 0;
        while (at + RECORD_HEADER <= length) {
            int header = b.getInt(at);
            int size = header & ~(BUSY_BIT | DISCARD_BIT);
            if ((header & DISCARD_BIT) == 0) {
                try {
                    to.sample(-1, buf, at + RECORD_HEADER, Math.min(size, length - at - RECORD_HEADER));
                } catch (RuntimeException e) {
                    // a sample the sink cannot take is skipped; the ring must still move on
                }
                records++;
            }
            at += (int) align8(size + RECORD_HEADER);
        }
        return records;
    }

    /**
     * Runs the record loop over {@code rounds} batches of copies of {@code sample}, handed to
     * {@code to}, before any packet arrives, so the JIT has compiled the loop and the sink's path
     * when the first flood comes (as {@link PacketPerfBuffer#warmUp}).
     */
    @Override
    public void warmUp(byte[] sample, int rounds, PacketPerfBuffer.SampleSink to) {
        int recordSize = (int) align8(sample.length + RECORD_HEADER);
        int perRound = Math.max(1, Math.min(STEP / recordSize, 256));
        byte[] synthetic = new byte[perRound * recordSize];
        ByteBuffer b = ByteBuffer.wrap(synthetic).order(ByteOrder.nativeOrder());
        for (int i = 0; i < perRound; i++) {
            int at = i * recordSize;
            b.putInt(at, sample.length);
            System.arraycopy(sample, 0, synthetic, at + RECORD_HEADER, sample.length);
        }
        for (int r = 0; r < rounds; r++) {
            split(synthetic, synthetic.length, to);
        }
    }

    /** Stops reading after draining the ring; the sink sees no sample after this returns. */
    @Override
    public synchronized void close() {
        if (unmapped) {
            return;
        }
        closing = true;
        if (Pollers.stopped(poller, 5L * POLL_MS + 2000)) {
            drain();
            munmap(producerAddress, PAGE + 2 * dataBytes);
            munmap(consumerAddress, PAGE);
            unmapped = true;
        }
        map.close();
    }
}
