package dev.bpfwatch.capture;

import dev.bpfwatch.pcap.ClassicInstruction;
import java.util.EnumSet;
import java.util.List;

/**
 * What one capture does: which actions of the hook it captures, the filter
 * (classic BPF, already compiled), the snap length, and how the rings are
 * sized and woken.
 *
 * @param bufferBytes ring bytes per CPU (perf rings: each CPU's; a ring buffer: this times the CPUs)
 * @param wakeupEvents wake the reader every this many samples (when watermarkBytes is 0); a ring
 *        buffer counts per CPU and takes the power of two at or below
 * @param watermarkBytes wake the reader at this many waiting bytes instead (0: off)
 * @param flush flush the output after every packet (for a reader on a pipe)
 */
public record CaptureOptions(EnumSet<XdpAction> actions, List<ClassicInstruction> filter, int snaplen,
                             long bufferBytes, int wakeupEvents, int watermarkBytes, boolean flush) {
    /** A wakeup every 64 samples: ~120 ns a packet here, against ~1 us for a wakeup each (DESIGN.md). */
    public static final int DEFAULT_WAKEUP_EVENTS = 64;
    public static final int DEFAULT_SNAPLEN = 262144;
}
