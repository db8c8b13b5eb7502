package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A BTF file given in place of the kernel's (--btf.path) for kernels
 * without /sys/kernel/btf/vmlinux: raw BTF, as BTFHub ships it, or an ELF
 * file with a .BTF section. libbpf uses it for CO-RE relocations only.
 * Checked here first, since libbpf 1.1 reads malformed BTF past its buffers.
 */
public final class CustomBtf {
    private final Path path;

    private CustomBtf(Path path) {
        this.path = path;
    }

    /** @throws LibbpfException naming the file: unreadable, or not well-formed BTF */
    public static CustomBtf check(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LibbpfException("read BTF " + file, 2, "cannot read: " + e.getMessage());
        }
        String name = file.toString();
        if (ElfSections.looksLikeElf(bytes)) {
            ObjectSanity.check(name, bytes);
            if (ElfSections.read(new ObjectBytes(name, bytes)).named(".BTF")
                    .filter(ElfSections.Section::hasBytes).isEmpty()) {
                throw new DamagedObjectException(name, "ELF file without a .BTF section");
            }
        } else {
            BtfSanity.check(new ObjectBytes(name, bytes), 0, bytes.length);
        }
        return new CustomBtf(file);
    }

    public Path path() {
        return path;
    }
}
