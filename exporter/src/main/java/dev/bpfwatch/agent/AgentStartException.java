package dev.bpfwatch.agent;

/** The agent could not start anything useful. */
public final class AgentStartException extends RuntimeException {
    public AgentStartException(String message) {
        super(message);
    }
}
