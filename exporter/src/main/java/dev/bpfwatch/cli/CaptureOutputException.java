package dev.bpfwatch.cli;

/** The capture's output broke while it ran (a pipe's reader went away, a full disk): exit 1, one line. */
final class CaptureOutputException extends RuntimeException {
    CaptureOutputException(String message) {
        super(message);
    }
}
