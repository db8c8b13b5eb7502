package dev.bpfwatch.decode;

/** One label value could not be decoded; the scrape goes on without that entry. */
public final class DecoderException extends Exception {
    public DecoderException(String message) {
        super(message);
    }
}
