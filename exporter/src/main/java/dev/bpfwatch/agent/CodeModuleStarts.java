package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.KernelBtf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The code modules' starts, in their order, on a thread of their own: each is mostly kernel work
 * (objects loaded and verified, programs attached), so they run beside the configs' loads on the
 * agent's start, on a second CPU. The thread shares the starting thread's parse of the kernel's BTF.
 */
final class CodeModuleStarts {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName()); // as the configs' failures

    /** What the starts gave: the modules that run, and each failure by module name, in order. */
    record Outcome(List<Module> started, Map<String, String> failures, RuntimeException strictFailure) {
    }

    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

    private CodeModuleStarts() {
    }

    /** Begins starting {@code factories}; with {@code strict}, the first failure stops the rest. */
    static CodeModuleStarts begin(List<ModuleFactory> factories, AgentContext context, boolean strict) {
        CodeModuleStarts starts = new CodeModuleStarts();
        if (factories.isEmpty()) {
            starts.outcome.complete(new Outcome(List.of(), Map.of(), null));
            return starts;
        }
        Supplier<Outcome> work =
                KernelBtf.sharingThisThreadsParse(() -> startAll(factories, context, strict));
        Thread t = new Thread(() -> {
            try {
                starts.outcome.complete(work.get());
            } catch (Throwable e) {
                starts.outcome.completeExceptionally(e);
            }
        }, "bpfwatch-module-starts");
        t.setDaemon(true);
        t.start();
        return starts;
    }

    private static Outcome startAll(List<ModuleFactory> factories, AgentContext context, boolean strict) {
        List<Module> started = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        for (ModuleFactory f : factories) {
            try {
                started.add(f.start(context));
            } catch (RuntimeException e) {
                if (strict) {
                    return new Outcome(started, failures, e);
                }
                failures.put(f.name(), e.getMessage());
                LOG.severe("module " + f.name() + " did not start: " + e.getMessage());
            }
        }
        return new Outcome(started, failures, null);
    }

    /**
     * Waits for every start to end, and uninterruptibly: what started holds kernel objects, which
     * the caller must own to close (also when the caller is failing).
     */
    Outcome await() {
        return outcome.join();
    }
}
