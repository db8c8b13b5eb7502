package dev.bpfwatch.pcap;

/** A filter expression or raw program is not acceptable; the message is one line for the user. */
public final class FilterException extends RuntimeException {
    public FilterException(String message) {
        super(message);
    }
}
