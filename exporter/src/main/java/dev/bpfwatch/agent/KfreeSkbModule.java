package dev.bpfwatch.agent;

import dev.bpfwatch.btf.DropReasons;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.metrics.DropReasonCollector;
import io.prometheus.client.Collector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The bundled kfree_skb drop-reason counter. */
public final class KfreeSkbModule implements Module {
    static final String NAME = "kfree_skb_drops";

    private final BundledProgram program;
    private final List<Collector> collectors;

    private KfreeSkbModule(BundledProgram program, List<Collector> collectors) {
        this.program = program;
        this.collectors = collectors;
    }

    public static ModuleFactory factory() {
        return new ModuleFactory() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Module start(AgentContext context) {
                DropReasons reasons;
                try (KernelBtf btf = KernelBtf.load()) {
                    reasons = DropReasons.fromKernel(btf);
                }
                BundledProgram program = BundledProgram.loadAndAttach(NAME);
                BpfMap drops = program.object().map(NAME).orElseThrow();
                return new KfreeSkbModule(program, List.of(
                        new DropReasonCollector(context.namespace(), () -> countsByReason(drops), reasons)));
            }
        };
    }

    /** reason number -> drops summed over CPUs */
    static Map<Long, Long> countsByReason(BpfMap drops) {
        Map<Long, Long> counts = new HashMap<>();
        for (BpfMap.Entry e : drops.entries()) {
            long reason = ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder()).getInt() & 0xffffffffL;
            counts.merge(reason, drops.sumU64(e.value(), 0), Long::sum);
        }
        return counts;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Collector> collectors() {
        return collectors;
    }

    @Override
    public void close() {
        program.close();
    }
}
