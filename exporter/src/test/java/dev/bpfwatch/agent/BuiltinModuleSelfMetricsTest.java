package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.ratelimit.ChannelFilter;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.RateLimit;
import dev.bpfwatch.ratelimit.UdpRateLimitModule;
import dev.bpfwatch.sockets.ListenDropsModule;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in modules (listen drops with its socket_drops counter, the UDP
 * filters) show in the program and map self-metrics like any config: the
 * ids the kernel gave their programs, attached, run stats, map capacity and
 * fill.
 */
class BuiltinModuleSelfMetricsTest {
    private final String filter = "test-selfm-" + ProcessHandle.current().pid();

    @AfterEach
    void removeFilter() {
        FilterPins.remove(filter);
    }

    /** The id label of bpfwatch_ebpf_program_info for that module and program. */
    private static int infoId(String exposition, String module, String program) {
        Matcher m = Pattern.compile("^bpfwatch_ebpf_program_info\\{config=\"" + Pattern.quote(module)
                + "\",program=\"" + Pattern.quote(program) + "\",section=\"[^\"]*\",id=\"(\\d+)\",tag=\"[0-9a-f]{16}\",?\\} 1\\.0$",
                Pattern.MULTILINE).matcher(exposition);
        assertTrue(m.find(), "no program_info for " + module + "/" + program + " in:\n" + exposition);
        int id = Integer.parseInt(m.group(1));
        assertFalse(m.find(), "one program_info for " + module + "/" + program);
        return id;
    }

    @Test
    void builtInProgramsAndMapsAppearWithTheKernelsIds() throws Exception {
        long self = ProcessHandle.current().pid();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)),
                List.of(ListenDropsModule.factory(), UdpRateLimitModule.factory()));
             DatagramChannel receiver = DatagramChannel.open()) {
            receiver.bind(new InetSocketAddress("0.0.0.0", 0)); // so 127.0.0.2 and .3 reach it
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            ChannelFilter.attach(receiver, filter, RateLimit.of(1000, 1000));
            Loopback.sendUdp("127.0.0.2", port, 3, 16);
            Loopback.sendUdp("127.0.0.3", port, 3, 16);

            String e = Scrape.metrics(agent.port());
            for (String[] p : new String[][] {{"listen_drops", "dump_tcp_listeners"},
                    {"listen_drops", "count_socket_drop"}, {"udp_ratelimit", "dump_udp_sockets"}}) {
                List<Integer> held = Bpftool.programIdsHeldBy(p[1], self);
                assertEquals(1, held.size(), p[1] + " loaded once: " + held);
                assertEquals(held.get(0), infoId(e, p[0], p[1]), p[1] + ": the kernel's id");
                String labels = "config=\"" + p[0] + "\",program=\"" + p[1] + "\"";
                assertEquals(1, Scrape.value(e, "bpfwatch_ebpf_program_attached", labels), e);
                assertTrue(Scrape.has(e, "bpfwatch_ebpf_program_run_count_total", labels), e);
                assertTrue(Scrape.has(e, "bpfwatch_ebpf_program_run_time_seconds_total", labels), e);
            }

            // The filter: its pinned program under the filter's name, attached to the one socket.
            int filterId = Bpftool.pinnedProgramId(FilterPins.dir(filter).resolve("prog").toString());
            assertEquals(filterId, infoId(e, "udp_ratelimit", filter));
            String f = "config=\"udp_ratelimit\",program=\"" + filter + "\"";
            assertEquals(1, Scrape.value(e, "bpfwatch_ebpf_program_attached", f), e);

            // Map fill: two destination IPs, one recorded socket, no override; arrays report no fill.
            String m = "config=\"udp_ratelimit\",map=\"" + filter + "/";
            assertEquals(2, Scrape.value(e, "bpfwatch_ebpf_map_entries", m + "udprl_buckets\""), e);
            assertEquals(65536, Scrape.value(e, "bpfwatch_ebpf_map_max_entries", m + "udprl_buckets\""), e);
            assertEquals(1, Scrape.value(e, "bpfwatch_ebpf_map_entries", m + "udprl_sockets\""), e);
            assertEquals(256, Scrape.value(e, "bpfwatch_ebpf_map_max_entries", m + "udprl_sockets\""), e);
            assertEquals(0, Scrape.value(e, "bpfwatch_ebpf_map_entries", m + "udprl_overrides\""), e);
            assertFalse(Scrape.has(e, "bpfwatch_ebpf_map_entries", m + "udprl_config\""), e);
            assertEquals(2, Scrape.value(e, "bpfwatch_ebpf_map_max_entries", m + "udprl_config\""), e);

            // socket_drops: its capacity as the kernel has it.
            int mapId = Bpftool.mapIdsHeldBy("socket_drops", self).get(0);
            Matcher max = Pattern.compile("max_entries (\\d+)").matcher(Bpftool.run("map", "show", "id",
                    Integer.toString(mapId)));
            assertTrue(max.find());
            assertEquals(Double.parseDouble(max.group(1)), Scrape.value(e, "bpfwatch_ebpf_map_max_entries",
                    "config=\"listen_drops\",map=\"socket_drops\""), e);
            assertTrue(Scrape.has(e, "bpfwatch_ebpf_map_entries", "config=\"listen_drops\",map=\"socket_drops\""), e);
        }
    }

    /**
     * --metrics.max-series 3 on a filter that saw five destination IPs
     * (1..5 datagrams each, all passed): the two largest keep their series,
     * the rest are summed into one labelled "other", and the fold is counted.
     */
    @Test
    void builtInSeriesObeyMaxSeries() throws Exception {
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withMaxSeries(3),
                List.of(UdpRateLimitModule.factory()));
             DatagramChannel receiver = DatagramChannel.open()) {
            receiver.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            ChannelFilter.attach(receiver, filter, RateLimit.of(1000, 1000));
            for (int i = 1; i <= 5; i++) {
                Loopback.sendUdp("127.0.0." + (i + 1), port, i, 16);
            }
            String e = Scrape.metrics(agent.port());
            String name = "bpfwatch_udp_ratelimit_packets_total";
            List<String> series = e.lines().filter(l -> l.startsWith(name + "{")).toList();
            assertEquals(3, series.size(), e);
            String f = "filter=\"" + filter + "\",dst_ip=\"";
            assertEquals(5, Scrape.value(e, name, f + "127.0.0.6\",verdict=\"pass\""), e);
            assertEquals(4, Scrape.value(e, name, f + "127.0.0.5\",verdict=\"pass\""), e);
            assertEquals(1 + 2 + 3, Scrape.value(e, name, "filter=\"other\",dst_ip=\"other\",verdict=\"other\""), e);
            // Each address has a pass and a drop series (drop 0 here): 10 series, 2 kept, 8 folded.
            assertEquals(8, Scrape.value(e, "bpfwatch_series_dropped_total",
                    "config=\"udp_ratelimit\",metric=\"bpfwatch_udp_ratelimit_packets\""), e);
        }
    }
}
