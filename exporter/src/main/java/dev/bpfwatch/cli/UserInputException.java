package dev.bpfwatch.cli;

/** Something the user gave us is wrong (exit 2), as opposed to the kernel refusing (exit 1). */
public final class UserInputException extends RuntimeException {
    public UserInputException(String message) {
        super(message);
    }
}
