package dev.bpfwatch.decode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code majorminor}: a block device number to the device's name ("sda2")
 * from /proc/partitions, as ebpf_exporter does. The number is a u32 in the
 * kernel's new_encode_dev() layout (minor bits 0-7 and 20-31, major bits
 * 8-19), the one the MKDEV macro of libbpf-tools and ebpf_exporter's
 * examples builds; not the kernel's internal dev_t (major &lt;&lt; 20). An
 * 8-byte label is read by its first 4 bytes, as ebpf_exporter reads it.
 * Devices not listed become "unknown:MAJOR:MINOR".
 */
public final class MajorMinor implements Decoder {
    public static final Path PARTITIONS = Path.of("/proc/partitions");

    private final Path partitions;
    private final Map<Long, String> names = new ConcurrentHashMap<>();

    public MajorMinor() {
        this(PARTITIONS);
    }

    MajorMinor(Path partitions) {
        this.partitions = partitions;
    }

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        if (in.length != 4 && in.length != 8) {
            throw new DecoderException("a device number is 4 (or 8) bytes, got " + in.length + ": " + Bytes.show(in));
        }
        long dev = Bytes.littleEndian(new byte[] {in[0], in[1], in[2], in[3]});
        long major = (dev >>> 8) & 0xfff;
        long minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
        String name = names.get(dev);
        if (name == null) {
            // /proc/partitions is a few lines: re-reading it on a miss is cheap,
            // and a disk plugged in since the last scrape gets its name.
            name = lookup(major, minor);
            if (name == null) {
                return Bytes.utf8("unknown:" + major + ":" + minor);
            }
            names.put(dev, name);
        }
        return Bytes.utf8(name);
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireRaw(inputSize, 4, 8);
    }

    /** Format: "major minor #blocks name", after a header line. */
    private String lookup(long major, long minor) throws DecoderException {
        List<String> lines;
        try {
            lines = Files.readAllLines(partitions);
        } catch (IOException e) {
            throw new DecoderException("cannot read " + partitions + ": " + e.getMessage());
        }
        String wantMajor = Long.toString(major);
        String wantMinor = Long.toString(minor);
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[0].equals(wantMajor) && f[1].equals(wantMinor)) {
                return f[3];
            }
        }
        return null;
    }
}
