package dev.bpfwatch.capture;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.Cpus;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.PacketPerfBuffer;
import dev.bpfwatch.libbpf.PacketRing;
import dev.bpfwatch.libbpf.PacketRingBuffer;
import dev.bpfwatch.libbpf.RawProgram;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A running capture: one program per captured action in the hook, the ring
 * they write to (a BPF ring buffer, or perf rings where the kernel lacks what
 * the ring-buffer program needs), and the writer the samples go to. Starting checks
 * every slot before it inserts anything, and undoes what it did when a step
 * fails, so a refused capture leaves the hook as it was. Closing takes the
 * programs out of the hook first (no new samples), then drains the rings
 * into the writer.
 */
public final class Capture implements AutoCloseable {
    private static final int EINVAL = 22;

    private final Hook hook;
    private final CaptureOptions options;
    private final PacketWriter writer;
    private final BpfMap stats;
    private final CaptureProgram.Output output;
    private final PacketRing rings;
    private final Map<XdpAction, RawProgram> programs = new EnumMap<>(XdpAction.class);
    private final AtomicLongArray written = new AtomicLongArray(XdpAction.values().length);
    private final java.util.concurrent.atomic.AtomicLong ringLost = new java.util.concurrent.atomic.AtomicLong();
    /** CLOCK_MONOTONIC (bpf_ktime_get_ns, System.nanoTime) to wall clock. */
    private final long monotonicToEpoch;
    private volatile IOException writeFailure;
    private boolean closed;
    /** The counts as they stood when the capture closed (the map is gone then). */
    private List<CaptureStats> finalStats;

    private Capture(Hook hook, CaptureOptions options, PacketWriter writer) {
        this.hook = hook;
        this.options = options;
        this.writer = writer;
        java.time.Instant now = java.time.Instant.now();
        this.monotonicToEpoch = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
        this.stats = BpfMap.create(BpfMapType.PERCPU_ARRAY, "xdpcap_stats", 4, CaptureProgram.STATS_VALUE,
                XdpAction.values().length);
        PacketRing r;
        try {
            this.output = RingOutputProbe.output();
            PacketPerfBuffer.SampleSink sink = (cpu, buf, offset, length) -> onSample(buf, offset, length);
            r = output == CaptureProgram.Output.RINGBUF
                    ? PacketRingBuffer.start("xdpcap_packets", ringBytes(options.bufferBytes()), sink)
                    : PacketPerfBuffer.start("xdpcap_packets", options.bufferBytes(), options.wakeupEvents(),
                            options.watermarkBytes(), sink, ringLost::addAndGet);
        } catch (RuntimeException e) {
            stats.close();
            throw e;
        }
        this.rings = r;
        warmUp();
    }

    /**
     * --buffer is per CPU (xdpcap's perf rings); the one ring buffer all CPUs share gets the
     * same memory in all, so a --buffer chosen for perf rings keeps its memory and its headroom.
     */
    static long ringBytes(long bytesPerCpu) {
        return Math.min(1L << 30, bytesPerCpu * Cpus.possible());
    }

    /**
     * Bytes waiting in the ring buffer at which the programs wake its reader: --watermark, or by
     * default a quarter of the ring (the reader looks every millisecond while packets come, so
     * this is the safety net for a reader asleep when a burst starts).
     */
    private int wakeBytes() {
        if (options.watermarkBytes() > 0) {
            return options.watermarkBytes();
        }
        return rings instanceof PacketRingBuffer ring ? (int) Math.min(Integer.MAX_VALUE, ring.dataBytes() / 4) : 0;
    }

    /** True when the programs write to a BPF ring buffer, false for the perf-ring fallback. */
    public boolean usesRingBuffer() {
        return output == CaptureProgram.Output.RINGBUF;
    }

    /** Synthetic samples through the reader and a twin of the writer: 200 rounds of up to 256 (51,200 at 64 bytes). */
    private static final int WARM_UP_ROUNDS = 200;
    private static final int WARM_UP_FRAME = 64;

    private void warmUp() {
        byte[] sample = CaptureSample.synthetic(XdpAction.PASS, WARM_UP_FRAME);
        try (PacketWriter discard = writer.discardingTwin()) {
            rings.warmUp(sample, WARM_UP_ROUNDS, (cpu, buf, offset, length) -> {
                try {
                    deliver(discard, buf, offset, length);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e); // the ring loop skips it, as for a real sample
                }
            });
        } catch (IOException e) {
            // a writer to nowhere does not fail; if one did, the capture would simply start cold
        }
    }

    /**
     * Loads the programs and inserts them into the hook.
     *
     * @throws HookException when a slot is taken (nothing inserted then)
     * @throws dev.bpfwatch.libbpf.VerifierException when the kernel refuses a translated filter
     */
    public static Capture start(Hook hook, CaptureOptions options, PacketWriter writer) {
        // Checking the slots and filling them is one step under the hook's lock: two captures
        // started together would otherwise both find a slot free, and the later insert would
        // silently take the earlier capture's packets.
        try (HookLock lock = HookLock.take(hook)) {
            for (XdpAction a : options.actions()) {
                hook.requireFree(a);
            }
            Capture c = new Capture(hook, options, writer);
            try {
                for (XdpAction a : options.actions()) {
                    c.insert(a);
                }
                return c;
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    private void insert(XdpAction action) {
        byte[] insns = CaptureProgram.build(options.filter(), action, options.snaplen(), output,
                options.wakeupEvents(), wakeBytes());
        RawProgram p = load(insns, 0);
        try {
            hook.insert(action, p);
        } catch (LibbpfException e) {
            p.close();
            if (e.errno() != EINVAL) {
                throw e;
            }
            // The hook's owner handles multi-buffer frames: only a program that does too may be tail-called.
            p = load(insns, RawProgram.BPF_F_XDP_HAS_FRAGS);
            try {
                hook.insert(action, p);
            } catch (RuntimeException again) {
                p.close();
                throw again;
            }
        }
        programs.put(action, p);
    }

    private RawProgram load(byte[] insns, int flags) {
        return RawProgram.load(Hook.programName(ProcessHandle.current().pid()), RawProgram.BPF_PROG_TYPE_XDP,
                RawProgram.BPF_XDP, flags, insns, List.of(stats, rings.map()));
    }

    /** One sample, read in place from the ring reader's buffer (nothing is copied before the writer). */
    private void onSample(byte[] buf, int offset, int length) {
        try {
            XdpAction action = deliver(writer, buf, offset, length);
            if (options.flush()) {
                writer.flush();
            }
            written.incrementAndGet(action.slot());
        } catch (IOException e) {
            writeFailure = e; // the reader (a closed pipe) is gone: the command stops on it
        }
    }

    private XdpAction deliver(PacketWriter to, byte[] buf, int offset, int length) throws IOException {
        int captured = CaptureSample.captured(buf, offset, length);
        XdpAction action = CaptureSample.action(buf, offset);
        to.write(CaptureSample.monotonicNs(buf, offset) + monotonicToEpoch, action,
                CaptureSample.rxQueue(buf, offset), CaptureSample.frameLength(buf, offset), buf,
                offset + CaptureSample.HEADER, captured);
        return action;
    }

    /** The id of the program this capture put into the action's slot. */
    int programId(XdpAction action) {
        return programs.get(action).id();
    }

    /** Set when writing failed (e.g. the reading end of a pipe closed). */
    public IOException writeFailure() {
        return writeFailure;
    }

    /** Per captured action, in slot order; after close, the final counts. */
    public synchronized List<CaptureStats> stats() {
        if (closed) {
            return finalStats == null ? List.of() : finalStats;
        }
        List<CaptureStats> out = new ArrayList<>();
        for (XdpAction a : options.actions()) {
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(a.slot()).array();
            byte[] v = stats.lookup(key).orElseThrow();
            long lost = stats.sumU64(v, CaptureProgram.STAT_OUTPUT_ERRORS);
            out.add(new CaptureStats(a, stats.sumU64(v, CaptureProgram.STAT_SEEN),
                    stats.sumU64(v, CaptureProgram.STAT_MATCHED), written.get(a.slot()), lost));
        }
        return out;
    }

    /** Samples the kernel reported lost in PERF_RECORD_LOST records, all rings together. */
    public long ringLost() {
        return ringLost.get();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (Map.Entry<XdpAction, RawProgram> e : programs.entrySet()) {
            try {
                hook.remove(e.getKey(), e.getValue());
            } catch (RuntimeException ex) {
                failure = failure == null ? ex : failure;
            }
        }
        rings.close();
        programs.values().forEach(RawProgram::close);
        try {
            writer.flush();
        } catch (IOException e) {
            writeFailure = writeFailure == null ? e : writeFailure;
        }
        try {
            closed = false; // read the map once more, with every sample drained and written
            finalStats = stats();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        } finally {
            closed = true;
        }
        stats.close();
        if (failure != null) {
            throw failure;
        }
    }
}
