package dev.bpfwatch.ratelimit;

import dev.bpfwatch.agent.AgentContext;
import dev.bpfwatch.agent.Module;
import dev.bpfwatch.agent.ModuleFactory;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Exports the UDP rate-limit filters pinned under {@link FilterPins#ROOT}.
 * It loads nothing: filters are made by `bpfwatch udp-limit attach` or the
 * Java API and outlive the agent, so the module looks for pins at every
 * scrape and a filter attached after start-up shows up at the next one.
 */
public final class UdpRateLimitModule implements Module {
    static final String NAME = "udp_ratelimit";
    private static final Logger LOG = Logger.getLogger(UdpRateLimitModule.class.getName());

    private final List<Collector> collectors;

    private UdpRateLimitModule(List<Collector> collectors) {
        this.collectors = collectors;
    }

    public static ModuleFactory factory() {
        return factory(UdpRateLimitCollector.DEFAULT_TOP);
    }

    /** @param top how many destination IPs per filter get their own series */
    public static ModuleFactory factory(int top) {
        return new ModuleFactory() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Module start(AgentContext context) {
                return new UdpRateLimitModule(List.of(
                        new UdpRateLimitCollector(context.namespace(), UdpRateLimitModule::readPinned, top)));
            }
        };
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

    @Override
    public void close() {
        // nothing loaded, nothing to unload: the filters belong to their sockets
    }
}
