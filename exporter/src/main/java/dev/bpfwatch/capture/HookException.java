package dev.bpfwatch.capture;

/** The hook cannot be used as asked (no pin, not a hook, slot taken): one line for the user. */
public final class HookException extends RuntimeException {
    public HookException(String message) {
        super(message);
    }
}
