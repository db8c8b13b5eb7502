package dev.bpfwatch.agent;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run: where to listen, which configs (a directory, or the embedded
 * default when {@code configDir} is null), and how strictly.
 */
public record AgentOptions(InetSocketAddress listen, String telemetryPath, String namespace, Path configDir,
                           List<String> configNames, boolean strict, boolean bpfStats) {

    public static AgentOptions defaults(InetSocketAddress listen) {
        return new AgentOptions(listen, "/metrics", "bpfwatch", null, List.of(), false, false);
    }

    public AgentOptions withConfigs(Path dir, List<String> names) {
        return new AgentOptions(listen, telemetryPath, namespace, dir, names, strict, bpfStats);
    }

    public AgentOptions withNamespace(String ns) {
        return new AgentOptions(listen, telemetryPath, ns, configDir, configNames, strict, bpfStats);
    }
}
