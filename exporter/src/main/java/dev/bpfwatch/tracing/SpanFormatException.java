package dev.bpfwatch.tracing;

/** A ring buffer record that cannot be a span: too short, or an id or time its decoders did not make a number of. */
public final class SpanFormatException extends Exception {
    public SpanFormatException(String message) {
        super(message);
    }
}
