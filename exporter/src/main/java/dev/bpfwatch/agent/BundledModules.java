package dev.bpfwatch.agent;

import java.util.List;

/** What `bpfwatch run` starts when no config is given: the embedded default. */
public final class BundledModules {
    private BundledModules() {
    }

    public static List<ModuleFactory> all() {
        return List.of(
                KfreeSkbModule.factory(),
                dev.bpfwatch.sockets.ListenDropsModule.factory());
    }
}
