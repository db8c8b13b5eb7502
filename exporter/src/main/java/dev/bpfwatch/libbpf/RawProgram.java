package dev.bpfwatch.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A program loaded from an instruction array built at run time (libbpf's
 * bpf_prog_load), not from an ELF object: xdpcap's translated filters.
 * Maps are named in the instructions by index, not fd: a 64-bit immediate
 * load with src_reg BPF_PSEUDO_MAP_FD and imm = i refers to {@code maps[i]},
 * and the fd is put in here, so fds never leave this package.
 */
public final class RawProgram implements AutoCloseable {
    public static final int BPF_PROG_TYPE_XDP = 6;
    public static final int BPF_XDP = 37;
    /** prog_flags: the program understands multi-buffer (fragmented) frames. */
    public static final int BPF_F_XDP_HAS_FRAGS = 1 << 5;
    private static final int OPTS_SIZE = 104;
    private static final int LOG_SIZE = 1 << 20;
    private static final int LD_IMM64 = 0x18;
    private static final int PSEUDO_MAP_FD = 1;
    private static final int TEST_OPTS_SIZE = 80;

    private final String name;
    private final int fd;
    private final int id;
    private volatile boolean closed;

    private RawProgram(String name, int fd) {
        this.name = name;
        this.fd = fd;
        this.id = ProgramInfo.read(fd).id();
    }

    /**
     * Loads {@code insns} (struct bpf_insn array, host order) as a program of
     * {@code type}; a GPL license, as helpers like perf_event_output need.
     *
     * @throws VerifierException with the verifier's complaint when the kernel refuses
     */
    public static RawProgram load(String name, int type, int expectedAttachType, int progFlags, byte[] insns,
                                  List<BpfMap> maps) {
        if (insns.length % 8 != 0 || insns.length == 0) {
            throw new IllegalArgumentException("instructions are " + insns.length + " bytes, not a multiple of 8");
        }
        byte[] linked = linkMaps(insns, maps);
        Pointer code = Memory.allocateDirect(Native.RUNTIME, linked.length);
        code.put(0, linked, 0, linked.length);
        Pointer log = Memory.allocateDirect(Native.RUNTIME, LOG_SIZE, true);
        Pointer opts = Memory.allocateDirect(Native.RUNTIME, OPTS_SIZE, true);
        opts.putLong(0, OPTS_SIZE);
        opts.putInt(12, expectedAttachType);
        opts.putInt(20, progFlags);
        opts.putInt(88, 1); // log_level 1: the log only matters when the load fails
        opts.putInt(92, LOG_SIZE);
        opts.putAddress(96, log.address());
        int fd = Native.BPF.bpf_prog_load(type, name, "GPL", code, linked.length / 8, opts);
        if (fd < 0) {
            int err = Native.errnoOf(fd);
            String text = log.getString(0, LOG_SIZE, StandardCharsets.UTF_8);
            throw new VerifierException("instructions", name, err, text);
        }
        try {
            return new RawProgram(name, fd);
        } catch (RuntimeException e) {
            Native.LIBC.close(fd);
            throw e;
        }
    }

    private static byte[] linkMaps(byte[] insns, List<BpfMap> maps) {
        byte[] out = insns.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + 16 <= out.length; at += 8) {
            if ((out[at] & 0xff) == LD_IMM64 && ((out[at + 1] >> 4) & 0xf) == PSEUDO_MAP_FD) {
                int index = b.getInt(at + 4);
                if (index < 0 || index >= maps.size()) {
                    throw new IllegalArgumentException("instruction " + at / 8 + " names map " + index
                            + " of " + maps.size());
                }
                b.putInt(at + 4, maps.get(index).fd());
                at += 8; // the second half of the 64-bit load
            }
        }
        return out;
    }

    public String name() {
        return name;
    }

    /** The kernel's id: what a PROG_ARRAY slot reads back as. */
    public int id() {
        return id;
    }

    public ProgramInfo info() {
        return ProgramInfo.read(fd());
    }

    /**
     * Runs the program once on {@code packet} (BPF_PROG_TEST_RUN, on this
     * CPU) and returns its return value; nothing is attached anywhere.
     */
    public int testRun(byte[] packet) {
        Pointer in = Memory.allocateDirect(Native.RUNTIME, Math.max(1, packet.length));
        in.put(0, packet, 0, packet.length);
        Pointer opts = Memory.allocateDirect(Native.RUNTIME, TEST_OPTS_SIZE, true);
        opts.putLong(0, TEST_OPTS_SIZE);
        opts.putAddress(8, in.address());
        opts.putInt(24, packet.length);
        opts.putInt(60, 1);
        int rc = Native.BPF.bpf_prog_test_run_opts(fd(), opts);
        if (rc < 0) {
            throw new LibbpfException("test run of program " + name, Native.errnoOf(rc));
        }
        return opts.getInt(56);
    }

    int fd() {
        if (closed) {
            throw new IllegalStateException("program " + name + " is closed");
        }
        return fd;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.LIBC.close(fd);
        }
    }
}
