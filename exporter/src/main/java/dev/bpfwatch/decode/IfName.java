package dev.bpfwatch.decode;

import dev.bpfwatch.libbpf.Interfaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * {@code ifname}: a 4-byte interface index to the interface's name
 * ("eth0"), read from sysfs (/sys/class/net/NAME/ifindex) of the agent's
 * network namespace. Names are cached; an index not in the cache is asked
 * of the kernel at once (if_indextoname), so an interface made just before
 * its first packet is named, and the cache is refreshed from sysfs (at most
 * once a second), since interfaces come and go. Indexes that still have no
 * interface become "unknown:&lt;n&gt;", as in ebpf_exporter: a provisional
 * label, never cached.
 */
public final class IfName implements Decoder {
    public static final Path SYS_CLASS_NET = Path.of("/sys/class/net");

    private final Path sysClassNet;
    private final Throttle rescan;
    private final LongFunction<Optional<String>> kernel;
    private volatile Map<Long, String> names = Map.of();

    public IfName() {
        this(SYS_CLASS_NET, Throttle.perSecond(),
                index -> index > Integer.MAX_VALUE ? Optional.empty() : Interfaces.name((int) index));
    }

    IfName(Path sysClassNet, Throttle rescan, LongFunction<Optional<String>> kernel) {
        this.sysClassNet = sysClassNet;
        this.rescan = rescan;
        this.kernel = kernel;
    }

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        return decodeLabel(in, config).value();
    }

    @Override
    public Decoded decodeLabel(byte[] in, DecoderConfig config) throws DecoderException {
        if (in.length != 4) {
            throw new DecoderException("an interface index is 4 bytes, got " + in.length + ": " + Bytes.show(in));
        }
        long index = Bytes.littleEndian(in);
        String name = names.get(index);
        if (name == null) {
            name = kernel.apply(index).orElse(null);
            if (rescan.tryAcquire()) {
                names = scan();
                if (name == null) {
                    name = names.get(index);
                }
            }
        }
        return name != null ? Decoded.of(Bytes.utf8(name)) : Decoded.fallback("unknown:" + index);
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireRaw(inputSize, 4);
    }

    private Map<Long, String> scan() {
        Map<Long, String> found = new HashMap<>();
        try (DirectoryStream<Path> interfaces = Files.newDirectoryStream(sysClassNet)) {
            for (Path iface : interfaces) {
                try {
                    String index = Files.readString(iface.resolve("ifindex"), StandardCharsets.US_ASCII).trim();
                    found.put(Long.parseLong(index), iface.getFileName().toString());
                } catch (IOException | NumberFormatException e) {
                    // The interface went away between listing and reading: skip it.
                }
            }
        } catch (IOException e) {
            return names; // keep what we had; unknown indexes print as numbers
        }
        return Map.copyOf(found);
    }
}
