package dev.bpfwatch.agent;

import dev.bpfwatch.metrics.CounterFolds;
import dev.bpfwatch.probe.FeatureReport;
import java.nio.file.Path;

/**
 * What every module may need from the agent: naming, what this kernel
 * offers, where maps are pinned ({@code pinPath} null: nothing pinned), and
 * the counters' series-limit state that outlives reloads and, saved under
 * the pin path, restarts.
 */
public record AgentContext(String namespace, FeatureReport features, Path pinPath, CounterFolds counterFolds) {
}
