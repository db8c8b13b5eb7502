package dev.bpfwatch.agent;

import dev.bpfwatch.probe.FeatureReport;

/** What every module may need from the agent: naming and what this kernel offers. */
public record AgentContext(String namespace, FeatureReport features) {
}
