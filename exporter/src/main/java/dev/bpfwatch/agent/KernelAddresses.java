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

    static void apply(ConfigSpec config, BpfObject object) {
        if (config.kaddrs().isEmpty()) {
            return;
        }
        Map<String, Long> addresses = lookup(Set.copyOf(config.kaddrs()));
        for (String symbol : config.kaddrs()) {
            Long address = addresses.get(symbol);
            if (address == null || address == 0) {
                throw new ConfigException(config.file(), 0, "kaddrs: kernel symbol '" + symbol
                        + "' not in " + KALLSYMS + (address != null ? " (address hidden: kptr_restrict?)" : ""));
            }
            byte[] value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(address).array();
            if (!object.setReadOnlyGlobal("kaddr_" + symbol, value)) {
                throw new ConfigException(config.file(), 0, "kaddrs: " + object.name()
                        + " has no const volatile u64 kaddr_" + symbol);
            }
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
