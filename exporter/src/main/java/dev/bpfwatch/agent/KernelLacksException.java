package dev.bpfwatch.agent;

/**
 * The running kernel lacks something a config needs (a symbol in
 * /proc/kallsyms): a run-time refusal of that config, exit code 1 under
 * --config.strict, not a mistake in the config.
 */
public final class KernelLacksException extends RuntimeException {
    public KernelLacksException(String message) {
        super(message);
    }
}
