package dev.bpfwatch.sockets;

import dev.bpfwatch.agent.AgentContext;
import dev.bpfwatch.agent.BundledProgram;
import dev.bpfwatch.agent.Module;
import dev.bpfwatch.agent.ModuleFactory;
import dev.bpfwatch.agent.ModuleMap;
import dev.bpfwatch.agent.ModuleProgram;
import dev.bpfwatch.btf.DropReasons;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.KernelBtf;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Listen drops per application: the tcp_listeners iterator walked in every
 * network namespace at each scrape, and the socket_drops kfree_skb counter
 * keyed by drop reason and socket port. On kernels without drop reasons
 * (before 5.17) socket drops are counted without them (NOT_SPECIFIED); if
 * the counter cannot load at all, the listener half runs alone.
 */
public final class ListenDropsModule implements Module {
    public static final String NAME = "listen_drops";
    static final String SOCKET_DROPS = "socket_drops";
    private static final Logger LOG = Logger.getLogger(ListenDropsModule.class.getName());

    private final ListenerWalker walker;
    private final BundledProgram socketDrops;
    private final List<Collector> collectors;

    private ListenDropsModule(ListenerWalker walker, BundledProgram socketDrops, List<Collector> collectors) {
        this.walker = walker;
        this.socketDrops = socketDrops;
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
                return ListenDropsModule.start(context.namespace(), context.pinPath());
            }
        };
    }

    public static ListenDropsModule start(String namespace) {
        return start(namespace, null);
    }

    /** @param pinPath where socket_drops' maps are pinned so counts survive a restart; null: not pinned */
    public static ListenDropsModule start(String namespace, java.nio.file.Path pinPath) {
        ListenerWalker walker = ListenerWalker.load();
        List<Collector> collectors = new ArrayList<>();
        BundledProgram drops = null;
        Supplier<Optional<Map<ListenerId, Long>>> deferDrops = Optional::empty;
        SocketDropCollector socketDrops = null;
        try {
            DropReasons reasons;
            boolean rxSk;
            try (KernelBtf btf = KernelBtf.load()) {
                reasons = DropReasons.ifKernelHas(btf).orElseGet(() -> {
                    LOG.warning("listen_drops: this kernel has no drop reasons (enum skb_drop_reason, added in "
                            + "Linux 5.17): socket drops count every kfree_skb() of a socket as reason "
                            + DropReasons.NOT_SPECIFIED);
                    return DropReasons.none();
                });
                rxSk = logReceivingSocketSupport(btf);
            }
            drops = BundledProgram.loadAndAttach(SOCKET_DROPS, pinPath);
            BpfMap map = drops.object().map(SOCKET_DROPS).orElseThrow();
            CgroupPaths cgroups = new CgroupPaths();
            socketDrops = new SocketDropCollector(namespace, () -> countsByKey(map), reasons, cgroups::path);
            if (rxSk) {
                BpfMap deferred = drops.object().map(DeferAcceptDrops.MAP).orElseThrow();
                deferDrops = () -> Optional.of(DeferAcceptDrops.read(deferred));
            }
        } catch (RuntimeException e) {
            if (drops != null) {
                drops.close();
                drops = null;
            }
            LOG.warning("listen_drops: drop reasons per socket are off: " + e.getMessage());
        }
        ListenerScan scan = new ListenerScan(walker, deferDrops);
        collectors.add(new ListenerCollector(namespace, scan::scan));
        if (socketDrops != null) {
            collectors.add(socketDrops);
        }
        return new ListenDropsModule(walker, drops, List.copyOf(collectors));
    }

    /** The program picks rx_sk or skb->sk by CO-RE itself; this tells the operator which, and returns it. */
    private static boolean logReceivingSocketSupport(KernelBtf btf) {
        boolean rxSk = btf.structHasMember("trace_event_raw_kfree_skb", "rx_sk").orElse(false);
        if (rxSk) {
            LOG.info("listen_drops: kfree_skb carries rx_sk: drops are attributed to the receiving socket");
        } else {
            LOG.warning("listen_drops: this kernel's kfree_skb has no rx_sk (added in 6.11): drops are attributed "
                    + "to skb->sk, which is unset for some receive-path drops (they show without a port), and "
                    + "the drops of TCP_DEFER_ACCEPT listeners count as reason=\"unknown\" (deferred ACKs and "
                    + "a full queue cannot be told apart)");
        }
        return rxSk;
    }

    /** Whether this kernel lets socket_drops count deferred-accept drops per listener (rx_sk, 6.11+). */
    public static boolean countsDeferredAccept() {
        try (KernelBtf btf = KernelBtf.load()) {
            return btf.structHasMember("trace_event_raw_kfree_skb", "rx_sk").orElse(false);
        }
    }

    /** key -> drops summed over CPUs */
    public static Map<SocketDropKey, Long> countsByKey(BpfMap map) {
        Map<SocketDropKey, Long> counts = new HashMap<>();
        for (BpfMap.Entry e : map.entries()) {
            counts.merge(SocketDropKey.decode(e.key()), map.sumU64(e.value(), 0), Long::sum);
        }
        return counts;
    }

    BundledProgram socketDropsProgram() {
        return socketDrops;
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
    public List<ModuleProgram> programReports() {
        List<ModuleProgram> out = new ArrayList<>(walker.programs());
        if (socketDrops != null) {
            out.addAll(socketDrops.programs());
        }
        return out;
    }

    @Override
    public List<ModuleMap> mapReports() {
        return socketDrops == null ? List.of() : socketDrops.maps();
    }

    @Override
    public void close() {
        try {
            walker.close();
        } finally {
            if (socketDrops != null) {
                socketDrops.close();
            }
        }
    }
}
