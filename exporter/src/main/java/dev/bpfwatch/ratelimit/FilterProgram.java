package dev.bpfwatch.ratelimit;

import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.LibbpfLog;
import dev.bpfwatch.libbpf.VerifierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The two programs of udp_ratelimit.bpf.o. They share the maps and decide
 * the same for datagrams that come one at a time; they differ in how a
 * bucket moves when datagrams for one destination race on several CPUs.
 */
public enum FilterProgram {
    /** BPF compare-and-swap (Linux 5.12+): a hard limit however many CPUs race. */
    CAS("udp_ratelimit"),
    /**
     * For kernels without BPF_CMPXCHG: the bucket moves by atomic adds
     * without fetch (BPF_XADD), which every kernel has. Datagrams for one
     * destination that reach the filter on different CPUs at the same
     * instant can be admitted on one token.
     */
    XADD("udprl_xadd");

    private static final Logger LOG = Logger.getLogger(FilterProgram.class.getName());
    /** What running {@link #XADD} costs, as operators read it. */
    static final String XADD_COST = "datagrams for one destination IP that reach the filter on different CPUs "
            + "at the same instant can be admitted on one token (at most one extra per other CPU); "
            + "while the destination stays busy, later drops pay the excess back";

    private final String programName;

    FilterProgram(String programName) {
        this.programName = programName;
    }

    /** The program's name in the object and, whole (15 characters at most), in the kernel. */
    public String programName() {
        return programName;
    }

    /** What running {@link #XADD} costs, for status output. */
    public String cost() {
        return this == XADD ? XADD_COST : "none: a hard limit on every CPU";
    }

    /** Which one a loaded program is, by the name the kernel keeps. */
    public static Optional<FilterProgram> ofProgramName(String name) {
        for (FilterProgram p : values()) {
            if (p.programName.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The bundled object with only this program loaded, and its maps; the caller closes it. */
    static BpfObject load(FilterProgram program) {
        BpfObject object = BpfObject.openResource(FilterPins.OBJECT);
        try {
            for (BpfProgram p : object.programs()) {
                p.setAutoload(p.name().equals(program.programName));
            }
            object.load();
            return object;
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /**
     * The bundled object loaded with the program this kernel takes:
     * {@link #CAS}, or {@link #XADD} where the verifier refuses it (kernels
     * before 5.12 do not know BPF_CMPXCHG). Decided by the kernel itself, so
     * no version table: the refused load costs one verifier pass on old
     * kernels and nothing on new ones. One log line says which program runs,
     * and for {@link #XADD} why and what it costs.
     */
    static Loaded loadForThisKernel(String filter) {
        try {
            // Quiet: on old kernels the refusal is expected and its warnings would only alarm.
            BpfObject object = LibbpfLog.quietly(() -> load(CAS));
            LOG.fine(() -> "udp-limit filter '" + filter + "': program " + CAS.programName
                    + " (BPF compare-and-swap: a hard limit on every CPU)");
            return new Loaded(object, CAS);
        } catch (VerifierException refused) {
            BpfObject object;
            try {
                object = load(XADD);
            } catch (RuntimeException e) {
                e.addSuppressed(refused);
                throw e;
            }
            LOG.warning(() -> "udp-limit filter '" + filter + "': running program " + XADD.programName
                    + " because this kernel (" + kernelRelease() + ") refused " + CAS.programName + " (verifier: \""
                    + refused.reason() + "\"; BPF compare-and-swap needs Linux 5.12). Cost: " + XADD_COST);
            return new Loaded(object, XADD);
        }
    }

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    /** A loaded object and which of the two programs it holds. */
    record Loaded(BpfObject object, FilterProgram program) {
    }
}
