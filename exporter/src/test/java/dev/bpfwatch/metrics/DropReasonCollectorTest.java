package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bpfwatch.btf.DropReasonsFixture;
import io.prometheus.client.CollectorRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DropReasonCollectorTest {

    @Test
    void countsBecomeSeriesNamedByReason() {
        CollectorRegistry registry = new CollectorRegistry();
        registry.register(new DropReasonCollector("bpfwatch", () -> Map.of(2L, 5L, 3L, 7L, 99L, 1L),
                DropReasonsFixture.of(Map.of("SKB_DROP_REASON_NOT_SPECIFIED", 2L, "SKB_DROP_REASON_NO_SOCKET", 3L))));
        assertEquals(7.0, registry.getSampleValue("bpfwatch_kfree_skb_drops_total",
                new String[] {"reason"}, new String[] {"NO_SOCKET"}));
        assertEquals(5.0, registry.getSampleValue("bpfwatch_kfree_skb_drops_total",
                new String[] {"reason"}, new String[] {"NOT_SPECIFIED"}));
        assertEquals(1.0, registry.getSampleValue("bpfwatch_kfree_skb_drops_total",
                new String[] {"reason"}, new String[] {"UNKNOWN_99"}));
    }

    @Test
    void namespaceChangesThePrefix() {
        CollectorRegistry registry = new CollectorRegistry();
        registry.register(new DropReasonCollector("ebpf_exporter", () -> Map.of(3L, 1L),
                DropReasonsFixture.of(Map.of("SKB_DROP_REASON_NO_SOCKET", 3L))));
        assertEquals(1.0, registry.getSampleValue("ebpf_exporter_kfree_skb_drops_total",
                new String[] {"reason"}, new String[] {"NO_SOCKET"}));
        assertNull(registry.getSampleValue("bpfwatch_kfree_skb_drops_total",
                new String[] {"reason"}, new String[] {"NO_SOCKET"}));
    }
}
