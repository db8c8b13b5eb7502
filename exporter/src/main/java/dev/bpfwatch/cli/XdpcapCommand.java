package dev.bpfwatch.cli;

import dev.bpfwatch.capture.Capture;
import dev.bpfwatch.capture.CaptureCheck;
import dev.bpfwatch.capture.CaptureOptions;
import dev.bpfwatch.capture.CaptureStats;
import dev.bpfwatch.capture.Hook;
import dev.bpfwatch.capture.HookException;
import dev.bpfwatch.capture.PacketWriter;
import dev.bpfwatch.capture.PcapWriter;
import dev.bpfwatch.capture.PcapngWriter;
import dev.bpfwatch.capture.XdpAction;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.IgnoredSignals;
import dev.bpfwatch.pcap.ClassicFilter;
import dev.bpfwatch.pcap.ClassicInstruction;
import dev.bpfwatch.pcap.FilterException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

@Command(name = "xdpcap", mixinStandardHelpOptions = true,
        description = {"Capture the packets of an XDP program instrumented with an xdpcap hook "
                + "(programs/include/xdpcap_hook.h), with the verdict it gave them, as tcpdump would: "
                + "the filter is a tcpdump expression or raw classic BPF (tcpdump -ddd numbers, comma-separated).",
                "Runs until SIGINT or SIGTERM, then takes its programs out of the hook and prints statistics "
                + "per action on stderr: packets the hook saw, matched, written, lost."},
        footerHeading = "%nExamples:%n",
        footer = {"  bpfwatch xdpcap /sys/fs/bpf/xdpcap_hook out.pcap 'tcp and port 80'",
                "  bpfwatch xdpcap --actions drop --flush /sys/fs/bpf/xdpcap_hook - | tcpdump -r - -n",
                "  bpfwatch xdpcap --check /sys/fs/bpf/xdpcap_hook"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGINT/SIGTERM (or --check: a valid hook)",
                "1:failure at run time (kernel refused, output broke)",
                "2:bad input (filter, hook pin, slot taken, output not writable)"})
final class XdpcapCommand implements Callable<Integer> {
    private static final int SIGINT = 2;
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOOK", description = "Pinned hook: a PROG_ARRAY, 4-byte keys and values, a slot per XDP action.")
    Path hook;

    @Parameters(index = "1", paramLabel = "OUTPUT", arity = "0..1", description = "Capture file, - for stdout.")
    String output;

    @Parameters(index = "2..*", paramLabel = "FILTER", description = "tcpdump expression (words are joined) or raw cBPF; none: every packet.")
    List<String> filter = List.of();

    @Option(names = "--actions", paramLabel = "LIST", defaultValue = "aborted,drop,pass,tx,redirect",
            description = "XDP actions to capture, comma-separated (default: ${DEFAULT-VALUE}).")
    String actions;

    @Option(names = "--buffer", paramLabel = "BYTES", defaultValue = "1048576",
            description = "Ring bytes per CPU, rounded up to a power of two pages; the BPF ring buffer all CPUs "
                    + "share (kernel 5.18+) gets this times the CPUs, perf rings (older kernels) this each "
                    + "(default: ${DEFAULT-VALUE}).")
    long buffer;

    @Option(names = "--watermark", paramLabel = "BYTES", defaultValue = "0",
            description = "Wake the reader when this many bytes wait in a ring; 0 (default): a quarter of the "
                    + "ring buffer (perf rings: every " + CaptureOptions.DEFAULT_WAKEUP_EVENTS + " packets).")
    int watermark;

    @Option(names = {"-s", "--snaplen"}, paramLabel = "BYTES", defaultValue = "262144",
            description = "Bytes captured of each packet (default: ${DEFAULT-VALUE}).")
    int snaplen;

    @Option(names = "-q", description = "No statistics on exit.")
    boolean quiet;

    @Option(names = "--flush", description = "Flush the output after every packet (for a reader on a pipe).")
    boolean flush;

    @Option(names = "--pcapng", description = "Write pcapng, with each packet's XDP action as its verdict.")
    boolean pcapng;

    @Option(names = "--check", description = "Only check that HOOK is a valid hook and show its slots.")
    boolean check;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (check) {
            return checkHook();
        }
        if (output == null) {
            throw new UserInputException("Missing required parameter: 'OUTPUT'");
        }
        // Bad input gets one line (UserInputException), not picocli's usage screen: xdpcap users pipe its output.
        CaptureOptions options = options();
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        try (Hook h = openHook()) {
            try {
                // Before the output exists: a refused capture leaves no file and writes nothing to stdout.
                for (XdpAction a : options.actions()) {
                    h.requireFree(a);
                }
            } catch (HookException e) {
                throw new UserInputException(e.getMessage());
            }
            PacketWriter writer = openOutput();
            Capture capture;
            try {
                capture = Capture.start(h, options, writer);
            } catch (HookException e) {
                writer.close();
                throw new UserInputException(e.getMessage());
            }
            if (!quiet && !capture.usesRingBuffer()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("xdpcap: writing through perf rings (asked for, or this kernel lacks the BPF ring "
                        + "buffer with bpf_xdp_load_bytes, 5.18+): each packet costs the sender more");
                err.flush();
            }
            CountDownLatch stop = new CountDownLatch(1);
            // A script's `bpfwatch xdpcap ... &` starts with SIGINT ignored (POSIX shells do that to
            // background jobs), and the JVM then silently installs no handler: `kill -INT` did not
            // stop the capture. tcpdump stops there; so does this.
            IgnoredSignals.unignore(SIGINT);
            Signal.handle(new Signal("INT"), sig -> stop.countDown());
            Signal.handle(new Signal("TERM"), sig -> stop.countDown());
            while (!stop.await(200, TimeUnit.MILLISECONDS) && capture.writeFailure() == null) {
                // wait: the perf reader writes on its own thread
            }
            capture.close();
            writer.close();
            if (!quiet) {
                PrintWriter err = spec.commandLine().getErr();
                for (CaptureStats s : capture.stats()) {
                    err.println(s.line());
                }
                err.flush();
            }
            IOException broken = capture.writeFailure();
            if (broken != null) {
                throw new CaptureOutputException("writing " + output + ": " + broken.getMessage());
            }
        }
        return 0;
    }

    private int checkHook() {
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        try (Hook h = openHook()) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(h.describe() + ": valid");
            out.println("slots: " + CaptureCheck.slots(h));
            out.flush();
        }
        return 0;
    }

    private Hook openHook() {
        try {
            return Hook.open(hook);
        } catch (HookException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    private CaptureOptions options() {
        EnumSet<XdpAction> set;
        try {
            set = XdpAction.parseList(actions);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--actions: " + e.getMessage());
        }
        if (buffer < 4096 || buffer > (1L << 30)) {
            throw new UserInputException("--buffer: " + buffer + " is not between 4096 and 2^30 bytes");
        }
        if (watermark < 0 || watermark >= buffer) {
            throw new UserInputException("--watermark: " + watermark
                    + " must be at least 0 and below --buffer (" + buffer + ")");
        }
        if (snaplen < 1 || snaplen > 262144) {
            throw new UserInputException("--snaplen: " + snaplen + " is not between 1 and 262144");
        }
        List<ClassicInstruction> program;
        try {
            program = ClassicFilter.of(String.join(" ", filter), snaplen);
            CaptureCheck.translatable(program, snaplen);
        } catch (FilterException e) {
            throw new UserInputException(e.getMessage());
        }
        return new CaptureOptions(set, program, snaplen, buffer, CaptureOptions.DEFAULT_WAKEUP_EVENTS, watermark, flush);
    }

    /** 1 MiB: a write(2) per thousands of small packets (at 64 KiB, 60 MB/s of capture is ~1,000 writes a second). */
    private static final int OUTPUT_BUFFER = 1 << 20;

    private PacketWriter openOutput() throws IOException {
        OutputStream out;
        if (output.equals("-")) {
            out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), OUTPUT_BUFFER);
        } else {
            try {
                out = new BufferedOutputStream(Files.newOutputStream(Path.of(output)), OUTPUT_BUFFER);
            } catch (IOException | RuntimeException e) {
                throw new UserInputException("cannot write " + output + ": " + reason(e));
            }
        }
        return pcapng ? new PcapngWriter(out, snaplen) : new PcapWriter(out, snaplen);
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage();
    }
}
