package dev.bpfwatch.agent;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run: where to listen, which configs (a directory, or the embedded
 * default when {@code configDir} is null), and how strictly; {@code
 * webConfigFile} (TLS, basic auth) is null for plain HTTP.
 */
public record AgentOptions(InetSocketAddress listen, String telemetryPath, String namespace, Path configDir,
                           List<String> configNames, boolean strict, boolean bpfStats, Path webConfigFile) {

    public AgentOptions(InetSocketAddress listen, String telemetryPath, String namespace, Path configDir,
                        List<String> configNames, boolean strict, boolean bpfStats) {
        this(listen, telemetryPath, namespace, configDir, configNames, strict, bpfStats, null);
    }

    public static AgentOptions defaults(InetSocketAddress listen) {
        return new AgentOptions(listen, "/metrics", "bpfwatch", null, List.of(), false, false, null);
    }

    public AgentOptions withConfigs(Path dir, List<String> names) {
        return new AgentOptions(listen, telemetryPath, namespace, dir, names, strict, bpfStats, webConfigFile);
    }

    public AgentOptions withNamespace(String ns) {
        return new AgentOptions(listen, telemetryPath, ns, configDir, configNames, strict, bpfStats, webConfigFile);
    }

    public AgentOptions withWebConfig(Path file) {
        return new AgentOptions(listen, telemetryPath, namespace, configDir, configNames, strict, bpfStats, file);
    }
}
