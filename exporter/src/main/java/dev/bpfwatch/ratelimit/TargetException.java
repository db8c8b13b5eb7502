package dev.bpfwatch.ratelimit;

/**
 * What the operator asked for does not exist or cannot be a target: no such
 * process, no UDP socket on that port, a TCP socket, no such filter. The CLI
 * reports these as bad input (exit 2).
 */
public class TargetException extends RuntimeException {
    public TargetException(String message) {
        super(message);
    }

    public TargetException(String message, Throwable cause) {
        super(message, cause);
    }
}
