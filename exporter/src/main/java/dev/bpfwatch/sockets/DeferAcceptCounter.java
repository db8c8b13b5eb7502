package dev.bpfwatch.sockets;

import dev.bpfwatch.agent.BundledProgram;
import dev.bpfwatch.libbpf.BpfMap;
import java.util.Map;
import java.util.Optional;

/**
 * For `bpfwatch listen-drops`: socket_drops.bpf.c attached for the run, so
 * the bare ACKs TCP_DEFER_ACCEPT listeners discard during it are counted
 * apart from queue overflows. Where the kernel cannot count them (no rx_sk
 * before 6.11) or the program does not load, {@link #read} is empty.
 */
public final class DeferAcceptCounter implements AutoCloseable {
    private final BundledProgram program;
    private final BpfMap map;
    private final String unavailable;

    private DeferAcceptCounter(BundledProgram program, BpfMap map, String unavailable) {
        this.program = program;
        this.map = map;
        this.unavailable = unavailable;
    }

    public static DeferAcceptCounter start() {
        if (!ListenDropsModule.countsDeferredAccept()) {
            return new DeferAcceptCounter(null, null, "this kernel's kfree_skb has no rx_sk (added in 6.11)");
        }
        BundledProgram p;
        try {
            p = BundledProgram.loadAndAttach(ListenDropsModule.SOCKET_DROPS);
        } catch (RuntimeException e) {
            return new DeferAcceptCounter(null, null, "socket_drops did not load: " + e.getMessage());
        }
        return new DeferAcceptCounter(p, p.object().map(DeferAcceptDrops.MAP).orElseThrow(), null);
    }

    /** Deferred-ACK drops per listener since {@link #start}; empty where they cannot be counted. */
    public Optional<Map<ListenerId, Long>> read() {
        return map == null ? Optional.empty() : Optional.of(DeferAcceptDrops.read(map));
    }

    /** Why deferred ACKs are not counted, or null when they are. */
    public String unavailable() {
        return unavailable;
    }

    @Override
    public void close() {
        if (program != null) {
            program.close();
        }
    }
}
