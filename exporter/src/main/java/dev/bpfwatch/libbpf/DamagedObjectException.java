package dev.bpfwatch.libbpf;

/**
 * An object file whose ELF or BTF structure is broken in a way libbpf would
 * not catch before reading past its buffers. Thrown before libbpf sees it,
 * so a corrupt {@code .bpf.o} costs an error message, not the process.
 */
public final class DamagedObjectException extends LibbpfException {
    private static final int EINVAL = 22;

    DamagedObjectException(String object, String what) {
        super("open " + object, EINVAL, "damaged object: " + what);
    }
}
