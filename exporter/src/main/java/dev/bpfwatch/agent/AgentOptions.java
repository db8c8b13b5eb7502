package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.CustomBtf;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run: where to listen, which configs (a directory, or the embedded
 * default when {@code configDir} is null), how strictly, where to pin maps
 * ({@code pinPath} null: no pinning, counters start from zero each run), how
 * many series one metric may have before the rest is folded into "other",
 * the web config ({@code webConfigFile} null: plain HTTP, no auth), and
 * whether debug endpoints (/maps) are served, and a BTF file for CO-RE
 * relocations in place of the kernel's ({@code btf} null: the kernel's),
 * and a listening socket passed by the service manager to serve on instead
 * of binding {@code listen} ({@code inheritedListener} null: bind).
 */
public record AgentOptions(InetSocketAddress listen, String telemetryPath, String namespace, Path configDir,
                           List<String> configNames, boolean strict, boolean bpfStats, Path pinPath,
                           int maxSeries, Path webConfigFile, boolean debug, CustomBtf btf,
                           ServerSocketChannel inheritedListener) {

    public static final int DEFAULT_MAX_SERIES = 10_000;

    /** Defaults as tests want them: no pins left behind. The CLI pins under /sys/fs/bpf/bpfwatch. */
    public static AgentOptions defaults(InetSocketAddress listen) {
        return new AgentOptions(listen, "/metrics", "bpfwatch", null, List.of(), false, false, null,
                DEFAULT_MAX_SERIES, null, false, null, null);
    }

    public AgentOptions withConfigs(Path dir, List<String> names) {
        return new AgentOptions(listen, telemetryPath, namespace, dir, names, strict, bpfStats, pinPath, maxSeries,
                webConfigFile, debug, btf, inheritedListener);
    }

    public AgentOptions withNamespace(String ns) {
        return new AgentOptions(listen, telemetryPath, ns, configDir, configNames, strict, bpfStats, pinPath, maxSeries,
                webConfigFile, debug, btf, inheritedListener);
    }

    public AgentOptions withStrict(boolean s) {
        return new AgentOptions(listen, telemetryPath, namespace, configDir, configNames, s, bpfStats, pinPath,
                maxSeries, webConfigFile, debug, btf, inheritedListener);
    }

    public AgentOptions withBpfStats(boolean on) {
        return new AgentOptions(listen, telemetryPath, namespace, configDir, configNames, strict, on, pinPath,
                maxSeries, webConfigFile, debug, btf, inheritedListener);
    }

    public AgentOptions withPinPath(Path p) {
        return new AgentOptions(listen, telemetryPath, namespace, configDir, configNames, strict, bpfStats, p,
                maxSeries, webConfigFile, debug, btf, inheritedListener);
    }

    public AgentOptions withMaxSeries(int n) {
        return new AgentOptions(listen, telemetryPath, namespace, configDir, configNames, strict, bpfStats, pinPath,
                n, webConfigFile, debug, btf, inheritedListener);
    }

    public AgentOptions withWebConfig(Path file) {
        return new AgentOptions(listen, telemetryPath, namespace, configDir, configNames, strict, bpfStats, pinPath,
                maxSeries, file, debug, btf, inheritedListener);
    }

    public AgentOptions withDebug(boolean on) {
        return new AgentOptions(listen, telemetryPath, namespace, configDir, configNames, strict, bpfStats, pinPath,
                maxSeries, webConfigFile, on, btf, inheritedListener);
    }

    public AgentOptions withBtf(CustomBtf b) {
        return new AgentOptions(listen, telemetryPath, namespace, configDir, configNames, strict, bpfStats, pinPath,
                maxSeries, webConfigFile, debug, b, inheritedListener);
    }

    /** Serve on a socket the service manager passed (listen becomes its address). */
    public AgentOptions withInheritedListener(ServerSocketChannel channel, InetSocketAddress address) {
        return new AgentOptions(address, telemetryPath, namespace, configDir, configNames, strict, bpfStats, pinPath,
                maxSeries, webConfigFile, debug, btf, channel);
    }
}
