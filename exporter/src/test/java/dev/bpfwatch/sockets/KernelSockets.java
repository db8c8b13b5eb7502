package dev.bpfwatch.sockets;

import dev.bpfwatch.libbpf.KernelBtf;

/**
 * What the running kernel's kfree_skb tracepoint carries, read from its BTF
 * the way the product decides: drop reasons (5.17+) and the receiving socket
 * rx_sk (6.11+). Tests expect the documented degradation where one is absent.
 */
record KernelSockets(boolean reasons, boolean rxSk) {
    static KernelSockets running() {
        try (KernelBtf btf = KernelBtf.load()) {
            return new KernelSockets(btf.enumerators("skb_drop_reason").isPresent(),
                    btf.structHasMember("trace_event_raw_kfree_skb", "rx_sk").orElse(false));
        }
    }
}
