package dev.bpfwatch.agent;

/**
 * Starts a {@link Module}. A factory that fails must leave nothing of itself
 * in the kernel: the agent logs the failure and goes on with the others.
 */
public interface ModuleFactory {
    String name();

    Module start(AgentContext context);
}
