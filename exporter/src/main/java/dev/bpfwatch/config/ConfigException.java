package dev.bpfwatch.config;

/** A config is wrong; the message starts with file:line so an editor can jump there. */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final int line;

    public ConfigException(String file, int line, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    /** 1-based; 0 when the error is about the file as a whole. */
    public int line() {
        return line;
    }
}
