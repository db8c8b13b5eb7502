package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.agent.BundledModules;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Every parse of the kernel's BTF costs tens of MB and 70-180 ms: within {@link KernelBtf#sharedDuring}
 * the loads of one thread share one, and the agent's start makes one for all its own lookups.
 */
class KernelBtfSharingTest {
    @Test
    void loadsWithinTheScopeShareOneParseThatOutlivesEachView() {
        int before = KernelBtf.parses();
        boolean found = KernelBtf.sharedDuring(() -> {
            KernelBtf.load().close();
            KernelBtf.load().close();
            try (KernelBtf btf = KernelBtf.load()) {
                // Closing the earlier views left the parse usable.
                return btf.hasTracepoint("sched_process_exec");
            }
        });
        assertTrue(found, "btf_trace_sched_process_exec in the shared parse");
        assertEquals(1, KernelBtf.parses() - before, "three loads in the scope, one parse");
        KernelBtf.load().close();
        KernelBtf.load().close();
        assertEquals(3, KernelBtf.parses() - before, "outside the scope every load parses");
    }

    @Test
    void anotherThreadRunningWorkWrappedInTheScopeSharesItsParse() throws Exception {
        int before = KernelBtf.parses();
        boolean found = KernelBtf.sharedDuring(() -> {
            KernelBtf.load().close();
            java.util.function.Supplier<Boolean> onAnotherThread = KernelBtf.sharingThisThreadsParse(() -> {
                try (KernelBtf btf = KernelBtf.load()) {
                    return btf.hasTracepoint("sched_process_exec");
                }
            });
            java.util.concurrent.CompletableFuture<Boolean> other = new java.util.concurrent.CompletableFuture<>();
            Thread t = new Thread(() -> other.complete(onAnotherThread.get()));
            t.start();
            return other.join();
        });
        assertTrue(found, "the other thread read the shared parse");
        assertEquals(1, KernelBtf.parses() - before, "a load here and one on another thread, one parse");
        // Outside a scope the wrapper changes nothing: the work parses for itself.
        KernelBtf.sharingThisThreadsParse(() -> {
            KernelBtf.load().close();
            return null;
        }).get();
        assertEquals(2, KernelBtf.parses() - before);
    }

    @Test
    void theDefaultAgentsStartParsesTheKernelsBtfOnce() {
        int before = KernelBtf.parses();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)),
                BundledModules.all())) {
            assertTrue(agent.port() > 0);
            // Before the shared parse: the gate of kfree_skb_drops' tp_btf program, listen drops'
            // reasons and rx_sk, and the decoders' enums each made their own.
            assertEquals(1, KernelBtf.parses() - before, "parses during the default start");
        }
    }
}
