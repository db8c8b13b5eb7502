package dev.bpfwatch.capture;

/**
 * Per action: packets the hook handed to the capture program, packets the
 * filter matched, packets written to the output, and packets lost on the
 * way (perf ring full, or the output helper failing).
 */
public record CaptureStats(XdpAction action, long seen, long matched, long written, long lost) {
    public String line() {
        return String.format("%-8s %d seen, %d matched, %d written, %d lost", action.label(), seen, matched, written, lost);
    }
}
