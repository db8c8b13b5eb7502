package dev.bpfwatch.cli;

import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.ratelimit.TargetException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.util.function.Supplier;

/**
 * Sorts udp-limit failures into the operator's mistakes (exit 2: wrong pid,
 * wrong socket, missing rights, bad numbers) and the kernel's refusals (exit 1).
 */
final class UdpLimitErrors {
    private UdpLimitErrors() {
    }

    static <T> T run(Supplier<T> action) {
        try {
            return action.get();
        } catch (TargetException | IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        } catch (LibbpfException e) {
            throw translate(e);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof AccessDeniedException) {
                throw new UserInputException("permission denied: " + e.getMessage()
                        + " (udp-limit needs root, or CAP_BPF + CAP_NET_ADMIN + CAP_SYS_PTRACE)");
            }
            throw e;
        }
    }

    private static RuntimeException translate(LibbpfException e) {
        switch (e.errnoName()) {
            case "EPERM":
            case "EACCES":
                return new UserInputException("permission denied: " + e.getMessage());
            case "ESRCH":
                return new UserInputException("no such process: " + e.getMessage());
            case "EBADF":
            case "ENOTSOCK":
            case "EPROTOTYPE":
                return new UserInputException(e.getMessage());
            default:
                return e;
        }
    }
}
