package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.Kallsyms;
import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.probe.FeatureReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Picks, before a config's object goes to the kernel, the programs this
 * kernel cannot take, and turns their loading off: libbpf loads an object
 * whole, so one fentry program on a kernel without trampolines (or aimed at
 * a function this kernel does not have) failed the entire config, with
 * libbpf's "permission error ... ulimit -l" advice as the only clue. The
 * rest of the config then loads and runs; each skipped program is reported
 * with the reason, in one line per config. The same holds for a tp_btf
 * program whose tracepoint this kernel does not have (newer than it).
 */
final class ProgramGate {
    /** Trampoline-based kinds: they load only where the fentry probe loaded, and need their target in the kernel. */
    private static final Set<String> TRAMPOLINES = Set.of("fentry", "fexit", "fmod_ret");
    private static final List<Path> TRACEFS_EVENTS = List.of(Path.of("/sys/kernel/tracing/events"),
            Path.of("/sys/kernel/debug/tracing/events"));

    private ProgramGate() {
    }

    /** Turns autoload off for what cannot load here; @return program name -> why, in object order. */
    static Map<String, String> skipUnloadable(BpfObject object, FeatureReport features) {
        Map<String, String> skipped = new LinkedHashMap<>();
        KernelBtf btf = null;
        try {
            for (BpfProgram p : object.programs()) {
                boolean trampoline = TRAMPOLINES.contains(p.attachKind());
                boolean btfTracepoint = "tp_btf".equals(p.attachKind());
                if (!p.autoload() || !(trampoline || btfTracepoint)) {
                    continue;
                }
                String reason = null;
                String target = target(p.section());
                if (trampoline && !features.attachAvailable("fentry")) {
                    reason = p.attachKind() + " is not available on this kernel (" + features.attachTypes().get("fentry")
                            .detail() + ")";
                } else if (target != null) {
                    if (btf == null) {
                        btf = KernelBtf.load();
                    }
                    if (trampoline && !btf.hasFunction(target) && !inKallsyms(target)) {
                        reason = "function " + target + " is not in this kernel";
                    } else if (btfTracepoint && !btf.hasTracepoint(target) && !tracefsHasEvent(target)) {
                        // Found neither in the kernel's BTF nor as an event (a module's): libbpf
                        // would fail the whole object with a bare ESRCH.
                        reason = "tracepoint " + target + " is not in this kernel";
                    }
                }
                if (reason != null) {
                    p.setAutoload(false);
                    skipped.put(p.name(), reason);
                }
            }
        } catch (LibbpfException e) {
            // No kernel BTF to look targets up in: libbpf will say what it finds at load.
        } finally {
            if (btf != null) {
                btf.close();
            }
        }
        return skipped;
    }

    /**
     * Whether tracefs lists an event of that name in any system (tracepoints
     * of modules are not in the kernel's own BTF). When tracefs is not
     * mounted it cannot tell, and says yes: libbpf then decides at load.
     */
    private static boolean tracefsHasEvent(String name) {
        for (Path events : TRACEFS_EVENTS) {
            if (Files.isDirectory(events)) {
                try (Stream<Path> systems = Files.list(events)) {
                    return systems.anyMatch(system -> Files.isDirectory(system.resolve(name)));
                } catch (IOException | UncheckedIOException e) {
                    return true;
                }
            }
        }
        return true;
    }

    /**
     * The function a trampoline section names ({@code fentry/tcp_v4_connect}), or the tracepoint of a
     * {@code tp_btf/} section; null for module:function forms.
     */
    static String target(String section) {
        int slash = section.indexOf('/');
        if (slash < 0 || slash == section.length() - 1) {
            return null;
        }
        String target = section.substring(slash + 1);
        return target.contains(":") ? null : target;
    }

    /** Module functions are not in the kernel's own BTF, but are in kallsyms; unreadable: let libbpf try. */
    private static boolean inKallsyms(String function) {
        return Kallsyms.has(function).orElse(true);
    }
}
