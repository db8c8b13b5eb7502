package dev.bpfwatch.agent;

import dev.bpfwatch.probe.FeatureReport;
import java.nio.file.Path;

/**
 * What every module may need from the agent: naming, what this kernel
 * offers, and where maps are pinned ({@code pinPath} null: nothing pinned).
 */
public record AgentContext(String namespace, FeatureReport features, Path pinPath) {
}
