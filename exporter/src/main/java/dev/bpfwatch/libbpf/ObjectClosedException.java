package dev.bpfwatch.libbpf;

/**
 * A map, program or object was used after it was closed. Thrown instead of
 * making the call: the fd number may already belong to something the next
 * open made, and libbpf has freed the closed object's memory.
 */
public final class ObjectClosedException extends IllegalStateException {
    ObjectClosedException(String what) {
        super(what + " is closed");
    }
}
