package dev.bpfwatch.probe;

/** One probed feature: available, not supported here, or could not tell; with why. */
public record Feature(Status status, String detail) {
    public enum Status { AVAILABLE, NOT_SUPPORTED, UNKNOWN }

    static Feature available(String detail) {
        return new Feature(Status.AVAILABLE, detail);
    }

    static Feature notSupported(String detail) {
        return new Feature(Status.NOT_SUPPORTED, detail);
    }

    static Feature unknown(String detail) {
        return new Feature(Status.UNKNOWN, detail);
    }

    public boolean available() {
        return status == Status.AVAILABLE;
    }
}
