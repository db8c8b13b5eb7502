package dev.bpfwatch.sockets;

import dev.bpfwatch.libbpf.KernelBtf;
import java.util.Map;
import java.util.Set;

/**
 * What the running kernel's kfree_skb tracepoint carries, read from its BTF
 * the way the product decides: drop reasons (5.17+), which ones, and the
 * receiving socket rx_sk (6.11+). Tests expect the documented degradation
 * where one is absent.
 */
record KernelSockets(Set<String> reasonNames, boolean rxSk) {
    static KernelSockets running() {
        try (KernelBtf btf = KernelBtf.load()) {
            return new KernelSockets(btf.enumerators("skb_drop_reason").map(Map::keySet).map(Set::copyOf).orElse(Set.of()),
                    btf.structHasMember("trace_event_raw_kfree_skb", "rx_sk").orElse(false));
        }
    }

    boolean reasons() {
        return !reasonNames.isEmpty();
    }

    /** Whether this kernel has the reason (short name, e.g. TCP_LISTEN_OVERFLOW: 6.14 and later). */
    boolean names(String reason) {
        return reasonNames.contains("SKB_DROP_REASON_" + reason);
    }
}
