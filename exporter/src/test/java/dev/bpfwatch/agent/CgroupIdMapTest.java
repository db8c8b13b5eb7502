package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cgroup.CgroupTree;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ebpf_exporter's cgroup_id_map on the real cgroup v2 tree: senders run in
 * cgroups this test creates, one matching the config's regexp and one not,
 * and only the matching one's drops are counted, through a hash of cgroup ids
 * and through cgroup-local storage. A cgroup created after start is picked up
 * by the rescan, and a removed one leaves the map.
 */
class CgroupIdMapTest {
    private static final int SENT = 40;
    private final long pid = ProcessHandle.current().pid();
    private final Path root = CgroupTree.v2Root();
    private final Path matching = root.resolve("bpfwatch-test-cg-" + pid);
    private final Path other = root.resolve("bpfwatch-other-cg-" + pid);
    private final Path late = root.resolve("bpfwatch-test-cg-" + pid + "-late");

    @TempDir
    Path dir;

    private static String config(String map, String type, String counter) {
        return """
                cgroup_id_map:
                  name: %s
                  type: %s
                  regexps:
                    - bpfwatch-test-cg-\\d+(-late)?$
                metrics:
                  counters:
                    - name: %s
                      help: UDP drops of senders in the chosen cgroups, by port
                      labels:
                        - name: dport
                          size: 2
                          decoders:
                            - name: uint
                """.formatted(map, type, counter);
    }

    @BeforeEach
    void cgroups() throws IOException {
        Files.createDirectories(matching);
        Files.createDirectories(other);
    }

    @AfterEach
    void removeCgroups() throws IOException {
        for (Path cg : List.of(matching, other, late)) {
            Files.deleteIfExists(cg); // rmdir: empty once the senders have exited
        }
    }

    /** A bash that joins the cgroup, then sends {@code count} datagrams to a closed port and exits. */
    private static void sendFrom(Path cgroup, int port, int count) throws Exception {
        // A fresh socket per datagram: on one connected socket the port-unreachable
        // answer to each datagram fails the next write.
        Process p = new ProcessBuilder("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs")
                + " && for i in $(seq " + count + "); do printf x > /dev/udp/127.0.0.1/" + port + "; done")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    private static double count(String exposition, String counter, int port) {
        return Scrape.value(exposition, "bpfwatch_" + counter + "_total", "dport=\"" + port + "\"");
    }

    private static boolean counted(String exposition, String counter, int port) {
        return Scrape.has(exposition, "bpfwatch_" + counter + "_total", "dport=\"" + port + "\"");
    }

    private static long cgroupId(Path cgroup) throws IOException {
        return ((Number) Files.getAttribute(cgroup, "unix:ino")).longValue();
    }

    private static boolean holds(BpfMap map, long id) {
        return map.lookup(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(id).array()).isPresent();
    }

    @Test
    void onlyMatchingCgroupsAreCountedByIdAndByStorage() throws Exception {
        ConfigDir.with(dir, "byid", "cgroup_filter", config("cgroup_ids", "hash", "drops_by_hash"));
        ConfigDir.with(dir, "bystorage", "cgroup_filter", config("cgroup_flags", "cgrp_storage", "drops_by_storage"));
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            assertEquals(List.of(), List.copyOf(agent.failures().values()));
            int inside = Loopback.closedUdpPort();
            int outside = Loopback.closedUdpPort();
            sendFrom(matching, inside, SENT);
            sendFrom(other, outside, SENT);

            String e = Scrape.metrics(agent.port());
            for (String counter : List.of("drops_by_hash", "drops_by_storage")) {
                double counted = count(e, counter, inside);
                System.out.printf("%s: matching cgroup %.0f of %d%n", counter, counted, SENT);
                // On loopback the drop runs in the sender's context; a packet whose
                // softirq was deferred to ksoftirqd runs in the root cgroup instead.
                assertTrue(counted >= SENT / 2 && counted <= SENT, counter + ": " + counted + " of " + SENT);
                assertFalse(counted(e, counter, outside), counter + ": the other cgroup is never counted (no series)");
            }

            BpfMap ids = ((ConfigModule) agent.modules().stream().filter(m -> m.name().equals("byid")).findFirst()
                    .orElseThrow()).object().map("cgroup_ids").orElseThrow();
            assertTrue(holds(ids, cgroupId(matching)) && !holds(ids, cgroupId(other)));

            Files.createDirectories(late);
            long lateId = cgroupId(late);
            awaitHeld(ids, lateId, true);
            int lateport = Loopback.closedUdpPort();
            sendFrom(late, lateport, SENT);
            assertTrue(count(Scrape.metrics(agent.port()), "drops_by_hash", lateport) >= SENT / 2,
                    "a cgroup made after start is counted once the rescan found it");

            Files.delete(late);
            awaitHeld(ids, lateId, false);
        }
    }

    private static void awaitHeld(BpfMap ids, long id, boolean held) throws InterruptedException {
        long deadline = System.nanoTime() + CgroupIdSync.PERIOD.multipliedBy(3).toNanos();
        while (holds(ids, id) != held && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(held, holds(ids, id), held ? "new cgroup added by the rescan" : "removed cgroup left the map");
    }

    /** ebpf_exporter's own example keeps its cgroup ids in an LRU_HASH: the same as a HASH here. */
    @Test
    void anLruHashServesAsTheHashOfIds() throws Exception {
        ConfigDir.with(dir, "bylru", "cgroup_filter_lru", config("cgroup_ids", "hash", "drops_by_lru"));
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true), List.of())) {
            assertEquals(List.of(), List.copyOf(agent.failures().values()));
            BpfMap ids = ((ConfigModule) agent.modules().stream().filter(m -> m.name().equals("bylru")).findFirst()
                    .orElseThrow()).object().map("cgroup_ids").orElseThrow();
            assertTrue(holds(ids, cgroupId(matching)) && !holds(ids, cgroupId(other)));
            int inside = Loopback.closedUdpPort();
            int outside = Loopback.closedUdpPort();
            sendFrom(matching, inside, SENT);
            sendFrom(other, outside, SENT);
            String e = Scrape.metrics(agent.port());
            double counted = count(e, "drops_by_lru", inside);
            // as above: a drop deferred to ksoftirqd runs in the root cgroup
            assertTrue(counted >= SENT / 2 && counted <= SENT, counted + " of " + SENT);
            assertFalse(counted(e, "drops_by_lru", outside), "the other cgroup is never counted (no series)");
        }
    }

    @Test
    void aMapOfTheWrongKindIsAConfigError() {
        ConfigDir.with(dir, "wrong", "cgroup_filter", config("drops_by_hash", "cgrp_storage", "drops_by_storage"));
        dev.bpfwatch.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.bpfwatch.config.ConfigException.class, () ->
                Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(dir, List.of())
                        .withStrict(true), List.of()).close());
        assertTrue(e.getMessage().contains("wrong.yaml:2: cgroup_id_map: map 'drops_by_hash' must be a CGRP_STORAGE "
                + "with 4-byte keys and 8-byte values for type cgrp_storage, but is a HASH with 2/8"), e.getMessage());
        assertEquals(0, Bpftool.countOwnPrograms("count_by_cgroup_id"), "nothing loaded");
    }
}
