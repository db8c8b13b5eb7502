package dev.bpfwatch.agent;

import dev.bpfwatch.config.ConfigException;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.decode.HostDecoderContext;
import dev.bpfwatch.libbpf.CustomBtf;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.probe.FeatureProbe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * `bpfwatch check`: every config parsed, bound to its object and loaded
 * through the verifier, then closed again; nothing stays in the kernel.
 * Programs this kernel cannot take are left out as `run` leaves them out,
 * and named beside the config's "ok".
 */
public final class ConfigChecker {
    private ConfigChecker() {
    }

    /** @return one message per failing config; empty when all pass */
    public static List<String> check(Path dir, List<String> names, Consumer<String> passed) {
        return check(dir, names, null, passed);
    }

    /** @param btf replaces the kernel's BTF for CO-RE relocations (--btf.path); null: the kernel's */
    public static List<String> check(Path dir, List<String> names, CustomBtf btf, Consumer<String> passed) {
        Decoders decoders = Decoders.standard(new HostDecoderContext());
        List<String> errors = new ArrayList<>();
        List<ConfigFiles.Pair> pairs;
        try {
            pairs = ConfigFiles.find(dir != null ? dir : ConfigFiles.embeddedDir(), names);
        } catch (ConfigException e) {
            return List.of(e.getMessage());
        }
        for (ConfigFiles.Pair pair : pairs) {
            try (ConfigModule.Prepared p = ConfigModule.prepare(pair, decoders, btf)) {
                // As `run` does: programs this kernel cannot take are left out (and said so), the
                // rest must pass the verifier. Without this, one fentry program on a kernel that
                // refuses fentry failed the check of a config that runs.
                ConfigModule.requireKernelMapTypes(p.object()); // else a bare EINVAL from the load
                Map<String, String> skipped = ProgramGate.skipUnloadable(p.object(), FeatureProbe.report());
                p.object().load();
                passed.accept(skipped.isEmpty() ? pair.name() : pair.name() + " (left out on this kernel: "
                        + skipped.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                                .collect(Collectors.joining("; ")) + ")");
            } catch (ConfigException e) {
                errors.add(e.getMessage());
            } catch (LibbpfException | KernelLacksException e) {
                errors.add(pair.object() + ": " + e.getMessage());
            }
        }
        return errors;
    }
}
