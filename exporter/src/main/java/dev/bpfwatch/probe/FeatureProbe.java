package dev.bpfwatch.probe;

import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.LibbpfLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns what this kernel offers by trying it: each attach type of the
 * bundled probe object is loaded and attached (the ones attached by BTF id
 * loaded together, see {@link #BY_BTF_ID}). The answer is
 * cached for the life of the process; kernels do not change under us.
 */
public final class FeatureProbe {
    static final String PROBE_OBJECT = "/bpfwatch/probes/feature_probe.bpf.o";

    /** probe program name -> attach type as users name it. */
    private static final Map<String, String> PROGRAMS = new LinkedHashMap<>();

    static {
        PROGRAMS.put("probe_tracepoint", "tracepoint");
        PROGRAMS.put("probe_raw_tp", "raw_tp");
        PROGRAMS.put("probe_tp_btf", "tp_btf");
        PROGRAMS.put("probe_kprobe", "kprobe");
        PROGRAMS.put("probe_fentry", "fentry");
        PROGRAMS.put("probe_iter_tcp", "iter/tcp");
        PROGRAMS.put("probe_iter_udp", "iter/udp");
        PROGRAMS.put("probe_socket_filter", "socket filter");
    }

    /**
     * Probes attached by a BTF id: libbpf parses the kernel's BTF (tens of MB) for each object
     * load that has one, so these load together, one parse for the three. fentry stays alone:
     * kernels that refuse it (lockdown) refuse it at load, which would fail the group.
     */
    static final List<String> BY_BTF_ID = List.of("probe_tp_btf", "probe_iter_tcp", "probe_iter_udp");

    private static volatile FeatureReport cached;

    private FeatureProbe() {
    }

    /**
     * Probes on a daemon thread, for {@link #report()} to take (or wait for) later. A failure there
     * is left for {@link #report()} to meet again on the caller's thread.
     */
    public static Thread startInBackground() {
        Thread t = new Thread(() -> {
            try {
                report();
            } catch (RuntimeException e) {
                // report() probes again where the agent can tell the error
            }
        }, "bpfwatch-feature-probe");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for {@link #startInBackground()}'s probe to end (its programs closed). */
    public static void await(Thread probing) {
        boolean interrupted = false;
        while (probing.isAlive()) {
            try {
                probing.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public static FeatureReport report() {
        FeatureReport r = cached;
        if (r == null) {
            synchronized (FeatureProbe.class) {
                if (cached == null) {
                    cached = probe();
                }
                r = cached;
            }
        }
        return r;
    }

    private static FeatureReport probe() {
        String release = kernelRelease();
        boolean btf = KernelBtf.present();
        Feature bpffs = mountBpffs();
        Map<String, Feature> attach = new LinkedHashMap<>();
        byte[] elf = probeObject();
        Map<String, Feature> together = elf == null ? Map.of()
                : LibbpfLog.quietly(() -> tryTogether(elf, BY_BTF_ID)).orElse(Map.of());
        for (Map.Entry<String, String> e : PROGRAMS.entrySet()) {
            attach.put(e.getValue(), elf == null
                    ? Feature.unknown("probe object missing from the jar")
                    : together.containsKey(e.getKey()) ? together.get(e.getKey())
                    : LibbpfLog.quietly(() -> tryAttach(elf, e.getKey())));
        }
        return new FeatureReport(release, btf, bpffs, attach);
    }

    private static Feature mountBpffs() {
        try {
            boolean was = Bpffs.mounted(Bpffs.DEFAULT);
            Bpffs.ensureMounted(Bpffs.DEFAULT);
            return Feature.available(was ? "mounted" : "mounted by bpfwatch");
        } catch (LibbpfException e) {
            return Feature.notSupported(e.getMessage());
        }
    }

    /**
     * Loads these probes in one object, then attaches each: empty when the load fails (one of
     * them refused), and the caller tries each alone so that no refusal hides another.
     */
    static java.util.Optional<Map<String, Feature>> tryTogether(byte[] elf, List<String> programs) {
        try (BpfObject obj = openWithOnly(elf, programs)) {
            obj.load();
            Map<String, Feature> out = new LinkedHashMap<>();
            for (String name : programs) {
                out.put(name, attachLoaded(obj.program(name).orElseThrow()));
            }
            return java.util.Optional.of(out);
        } catch (LibbpfException e) {
            return java.util.Optional.empty();
        }
    }

    /** Loads only {@code program} of the probe object and attaches it where its section says. */
    static Feature tryAttach(byte[] elf, String program) {
        try (BpfObject obj = openWithOnly(elf, List.of(program))) {
            BpfProgram target = obj.program(program).orElseThrow();
            try {
                obj.load();
            } catch (LibbpfException e) {
                return Feature.notSupported("load: " + e.errnoName());
            }
            return attachLoaded(target);
        } catch (LibbpfException e) {
            return Feature.unknown(e.getMessage());
        }
    }

    /** The probe object, opened with only {@code programs} to load. */
    private static BpfObject openWithOnly(byte[] elf, List<String> programs) {
        BpfObject obj = BpfObject.open("feature_probe", elf);
        try {
            for (BpfProgram p : obj.programs()) {
                p.setAutoload(programs.contains(p.name()));
            }
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    private static Feature attachLoaded(BpfProgram target) {
        if ("socket".equals(target.section())) {
            return Feature.available("loads"); // attached per socket, later, by SO_ATTACH_BPF
        }
        if (target.section().startsWith("tracepoint/")) {
            Bpffs.ensureTracefsMounted();
        }
        try (BpfLink link = target.isIterator() ? target.attachIterator() : target.attach()) {
            return Feature.available("attaches");
        } catch (LibbpfException e) {
            return Feature.notSupported("attach: " + e.errnoName());
        }
    }

    private static byte[] probeObject() {
        try (InputStream in = FeatureProbe.class.getResourceAsStream(PROBE_OBJECT)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    /** Feature names the report lists, in order. */
    public static List<String> attachTypes() {
        return List.copyOf(PROGRAMS.values());
    }
}
