package dev.bpfwatch.ratelimit;

import dev.bpfwatch.agent.AgentContext;
import dev.bpfwatch.agent.Module;
import dev.bpfwatch.agent.ModuleFactory;
import dev.bpfwatch.agent.ModuleMap;
import dev.bpfwatch.agent.ModuleProgram;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Exports the UDP rate-limit filters pinned under {@link FilterPins#root()}.
 * It loads no filter: filters are made by `bpfwatch udp-limit attach` or the
 * Java API and outlive the agent, so the module looks for pins at every
 * scrape and a filter attached after start-up shows up at the next one. It
 * loads the udp_sockets iterator, to say from the kernel how many sockets
 * carry each filter (a restarted server's new socket carries none).
 */
public final class UdpRateLimitModule implements Module {
    static final String NAME = "udp_ratelimit";
    private static final Logger LOG = Logger.getLogger(UdpRateLimitModule.class.getName());

    /** How often `run` looks for new sockets on --follow ports: the longest a restarted server goes unprotected. */
    public static final Duration FOLLOW_INTERVAL = Duration.ofSeconds(1);

    private final List<Collector> collectors;
    private final UdpSocketWalker walker;
    private final ScheduledExecutorService follower;

    private UdpRateLimitModule(List<Collector> collectors, UdpSocketWalker walker, ScheduledExecutorService follower) {
        this.collectors = collectors;
        this.walker = walker;
        this.follower = follower;
    }

    public static ModuleFactory factory() {
        return factory(UdpRateLimitCollector.DEFAULT_TOP);
    }

    /** @param top how many destination IPs per filter get their own series */
    public static ModuleFactory factory(int top) {
        return factory(top, FOLLOW_INTERVAL);
    }

    /** @param followInterval how often to look for new sockets on --follow ports */
    public static ModuleFactory factory(int top, Duration followInterval) {
        return new ModuleFactory() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Module start(AgentContext context) {
                UdpSocketWalker walker = loadWalker();
                Supplier<Optional<Map<Integer, Long>>> sockets = walker == null ? Optional::empty
                        : () -> socketsByProgram(walker);
                return new UdpRateLimitModule(List.of(new UdpRateLimitCollector(context.namespace(),
                        UdpRateLimitModule::readPinned, sockets, top,
                        UdpRateLimitCollector.agentFolds(context.counterFolds(), top))), walker,
                        walker == null ? null : startFollower(walker, followInterval));
            }
        };
    }

    private static UdpSocketWalker loadWalker() {
        try {
            return UdpSocketWalker.load();
        } catch (RuntimeException e) {
            LOG.warning("udp_ratelimit: cannot list UDP sockets with iter/udp (Linux 5.9+), so "
                    + "attached_sockets is not exported: " + e.getMessage());
            return null;
        }
    }

    private static ScheduledExecutorService startFollower(UdpSocketWalker walker, Duration interval) {
        FilterFollower follower = new FilterFollower(walker);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bpfwatch-udp-follow");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                follower.followOnce();
            } catch (RuntimeException e) {
                LOG.warning("udp_ratelimit: following --follow ports failed this time: " + e.getMessage());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return timer;
    }

    /** Program id -> sockets carrying it, over every network namespace; empty if the walk fails. */
    static Optional<Map<Integer, Long>> socketsByProgram(UdpSocketWalker walker) {
        try {
            Map<Integer, Long> counts = new HashMap<>();
            for (UdpSocketRecord r : walker.walkHost().values()) {
                if (r.hasFilter() && r.filterProgramId() != 0) {
                    counts.merge(r.filterProgramId(), 1L, Long::sum);
                }
            }
            return Optional.of(counts);
        } catch (RuntimeException e) {
            LOG.warning("udp_ratelimit: UDP socket walk failed: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Every pinned filter's snapshot; one that cannot be read is skipped, never the whole scrape. */
    static List<FilterSnapshot> readPinned() {
        List<FilterSnapshot> out = new ArrayList<>();
        for (String name : FilterPins.names()) {
            try (PinnedFilter f = PinnedFilter.open(name)) {
                out.add(f.snapshot());
            } catch (RuntimeException e) {
                // Removed between listing and opening, or a stray directory: not this scrape's business.
                LOG.fine(() -> "udp-limit filter " + name + " skipped: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Collector> collectors() {
        return collectors;
    }

    /**
     * The socket walker, and each pinned filter under its filter name:
     * attached while at least one socket carries it (as the kernel says).
     */
    @Override
    public List<ModuleProgram> programReports() {
        List<ModuleProgram> out = new ArrayList<>();
        Map<Integer, Long> carried = Map.of();
        if (walker != null) {
            out.addAll(walker.programs());
            carried = socketsByProgram(walker).orElse(Map.of());
        }
        for (String name : FilterPins.names()) {
            try (PinnedFilter f = PinnedFilter.open(name)) {
                var info = f.program().info();
                out.add(new ModuleProgram(name, "socket", carried.getOrDefault(info.id(), 0L) > 0, info));
            } catch (RuntimeException e) {
                LOG.fine(() -> "udp-limit filter " + name + " skipped: " + e.getMessage()); // removed meanwhile
            }
        }
        return out;
    }

    @Override
    public List<ModuleMap> mapReports() {
        List<ModuleMap> out = new ArrayList<>();
        for (String name : FilterPins.names()) {
            try (PinnedFilter f = PinnedFilter.open(name)) {
                out.addAll(f.mapFill());
            } catch (RuntimeException e) {
                LOG.fine(() -> "udp-limit filter " + name + " skipped: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public void close() {
        // The filters belong to their sockets and stay; only the follower and the socket walker are ours.
        if (follower != null) {
            follower.shutdownNow();
            try {
                follower.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (walker != null) {
            walker.close();
        }
    }
}
