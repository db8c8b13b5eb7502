package dev.bpfwatch.agent;

import java.util.List;

/**
 * Modules written in code rather than YAML, part of the embedded default
 * beside the bundled configs (they need more than maps to samples:
 * process attribution, pinned filters).
 */
public final class BundledModules {
    private BundledModules() {
    }

    public static List<ModuleFactory> all() {
        return List.of(
                dev.bpfwatch.sockets.ListenDropsModule.factory(),
                dev.bpfwatch.ratelimit.UdpRateLimitModule.factory());
    }
}
