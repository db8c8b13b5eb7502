package dev.bpfwatch.agent;

import dev.bpfwatch.config.ConfigException;
import dev.bpfwatch.config.ConfigSpec;
import dev.bpfwatch.libbpf.BpfObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * ebpf_exporter's {@code kaddrs}: for each kernel symbol named in the config,
 * its address from /proc/kallsyms is written into the program's
 * {@code kaddr_<symbol>} global before load.
 */
final class KernelAddresses {
    static final Path KALLSYMS = Path.of("/proc/kallsyms");

    private KernelAddresses() {
    }

    /**
     * Checks that the object has a {@code kaddr_<symbol>} global for every
     * symbol the config names: a mistake in the config or the object, found
     * without asking the kernel (what `check` and start-up share).
     */
    static void checkVariables(ConfigSpec config, BpfObject object) {
        byte[] zero = new byte[8];
        for (String symbol : config.kaddrs()) {
            if (!object.setReadOnlyGlobal("kaddr_" + symbol, zero)) {
                throw new ConfigException(config.file(), 0, "kaddrs: " + object.name()
                        + " has no const volatile u64 kaddr_" + symbol);
            }
        }
    }

    /**
     * Writes each symbol's address from this kernel into its global, just
     * before load. A symbol this kernel lacks is the kernel's refusal, not a
     * mistake in the config: it fails this config only, as a verifier
     * rejection does, and the others start.
     */
    static void apply(ConfigSpec config, BpfObject object) {
        if (config.kaddrs().isEmpty()) {
            return;
        }
        Map<String, Long> addresses = lookup(Set.copyOf(config.kaddrs()));
        for (String symbol : config.kaddrs()) {
            Long address = addresses.get(symbol);
            if (address == null || address == 0) {
                throw new KernelLacksException("kaddrs: kernel symbol '" + symbol + "' not in " + KALLSYMS
                        + (address != null ? " (address hidden: kptr_restrict?)" : " on this kernel"));
            }
            object.setReadOnlyGlobal("kaddr_" + symbol,
                    ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(address).array());
        }
    }

    private static Map<String, Long> lookup(Set<String> symbols) {
        Map<String, Long> out = new HashMap<>();
        Set<String> wanted = new HashSet<>(symbols);
        try (Stream<String> lines = Files.lines(KALLSYMS)) {
            lines.takeWhile(l -> !wanted.isEmpty()).forEach(line -> {
                String[] f = line.split("\\s+");
                if (f.length >= 3 && wanted.remove(f[2])) {
                    out.put(f[2], Long.parseUnsignedLong(f[0], 16));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("read " + KALLSYMS + ": " + e.getMessage(), e);
        }
        return out;
    }
}
