package dev.bpfwatch.libbpf;

import jnr.constants.platform.Errno;

/**
 * A libbpf or bpf(2) call failed. Carries the operation, errno and its name,
 * and a hint where errno usually means one thing to an operator.
 */
public class LibbpfException extends RuntimeException {
    private final String operation;
    private final int errno;

    public LibbpfException(String operation, int errno) {
        this(operation, errno, null);
    }

    public LibbpfException(String operation, int errno, String detail) {
        super(format(operation, errno, detail));
        this.operation = operation;
        this.errno = errno;
    }

    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return errnoName(errno);
    }

    public static String errnoName(int errno) {
        if (errno == 524) {
            return "ENOTSUPP"; // kernel-internal, leaks out of bpf(2); not in libc's table
        }
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
    }

    static String hint(int errno) {
        String name = errnoName(errno);
        switch (name) {
            case "EPERM":
            case "EACCES":
                return Capabilities.permissionHint();
            case "E2BIG":
                return "map or program too large for this kernel";
            case "ENOTSUPP":
            case "EOPNOTSUPP":
                return "not supported by this kernel";
            case "ENOENT":
                return "no such object";
            default:
                return null;
        }
    }

    private static String format(String operation, int errno, String detail) {
        StringBuilder sb = new StringBuilder(operation).append(": ").append(errnoName(errno));
        String text = Native.LIBC.strerror(errno);
        if (text != null && errno != 524) {
            sb.append(" (").append(text).append(')');
        }
        if (detail != null && !detail.isBlank()) {
            sb.append(": ").append(detail);
        }
        String hint = hint(errno);
        if (hint != null) {
            sb.append(" [").append(hint).append(']');
        }
        return sb.toString();
    }
}
