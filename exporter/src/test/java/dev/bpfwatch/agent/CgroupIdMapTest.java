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
import dev.bpfwatch.testing.TestNetns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * and through cgroup-local storage. A cgroup created after start is in the
 * map before a process started in it sends (the sync follows inotify), and a
 * removed one leaves the map. Senders send inside a network namespace the
 * test makes, so no other traffic reaches their ports and counts are exact.
 */
class CgroupIdMapTest {
    private static final int SENT = 40;
    private static final int BURST = 20;
    private static final int BURST_SENT = 5;
    /** A process started in a new cgroup sends its first datagram this long after the mkdir. */
    private static final int TELL_AFTER_MS = 30;
    private final long pid = ProcessHandle.current().pid();
    private final Path root = CgroupTree.v2Root();
    private final Path matching = root.resolve("bpfwatch-test-cg-" + pid);
    private final Path other = root.resolve("bpfwatch-other-cg-" + pid);
    private final Path late = root.resolve("bpfwatch-test-cg-" + pid + "-late");
    /** Holds the burst's cgroups; its own name does not match, its children's do. */
    private final Path burst = root.resolve("bpfwatch-burst-" + pid);
    private TestNetns netns;

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
        Files.createDirectories(burst);
        netns = TestNetns.create();
    }

    @AfterEach
    void removeCgroups() throws IOException {
        netns.close();
        if (Files.isDirectory(burst)) {
            try (var children = Files.list(burst)) {
                for (Path cg : children.filter(Files::isDirectory).toList()) {
                    Files.deleteIfExists(cg);
                }
            }
        }
        for (Path cg : List.of(matching, other, late, burst)) {
            Files.deleteIfExists(cg); // rmdir: empty once the senders have exited
        }
    }

    /**
     * A bash that joins the cgroup, enters the test's network namespace, sends
     * {@code count} datagrams to a closed port there and exits.
     */
    private Process startSender(Path cgroup, int port, int count) throws IOException {
        // A fresh socket per datagram: on one connected socket the port-unreachable
        // answer to each datagram fails the next write.
        return new ProcessBuilder("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs")
                + " && exec nsenter --net=/run/netns/" + netns.name() + " bash -c 'for i in $(seq " + count
                + "); do printf x > /dev/udp/127.0.0.1/" + port + "; done'")
                .redirectErrorStream(true).start();
    }

    /** A bash in the test's namespace that reads a cgroup's path, joins it and sends at once. */
    private Process startWaitingSender(int port, int count) throws IOException {
        return new ProcessBuilder("nsenter", "--net=/run/netns/" + netns.name(), "bash", "-c",
                "read cg && echo $$ > \"$cg/cgroup.procs\" && for i in $(seq " + count
                + "); do printf x > /dev/udp/127.0.0.1/" + port + "; done")
                .redirectErrorStream(true).start();
    }

    private void sendFrom(Path cgroup, int port, int count) throws Exception {
        finish(startSender(cgroup, port, count));
    }

    private static void finish(Process p) throws Exception {
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
                // On loopback the drop runs in the sender's context (softirqs run as the send
                // re-enables them), so every datagram of the matching cgroup is counted.
                assertEquals(SENT, counted, counter);
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
            assertEquals(SENT, count(Scrape.metrics(agent.port()), "drops_by_hash", lateport),
                    "a cgroup made after start is counted once the sync added it");

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

    /**
     * Twenty cgroups made one after another below a test cgroup, each with a
     * sender started the moment it exists: every datagram is counted, the
     * first included, through the hash and through cgroup storage. Polling the
     * tree every 2 s misses the first sends of all of them.
     */
    @Test
    void cgroupsMadeInABurstAreCountedFromTheirFirstDatagram() throws Exception {
        ConfigDir.with(dir, "byid", "cgroup_filter", config("cgroup_ids", "hash", "drops_by_hash"));
        ConfigDir.with(dir, "bystorage", "cgroup_filter", config("cgroup_flags", "cgrp_storage", "drops_by_storage"));
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            assertEquals(List.of(), List.copyOf(agent.failures().values()));
            List<Integer> ports = new ArrayList<>();
            List<Path> made = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                ports.add(Loopback.closedUdpPort());
            }
            BpfMap ids = ((ConfigModule) agent.modules().stream().filter(m -> m.name().equals("byid")).findFirst()
                    .orElseThrow()).object().map("cgroup_ids").orElseThrow();
            // Senders wait in the namespace, started before any cgroup exists; each is told
            // its cgroup TELL_AFTER_MS after the mkdir, joins it and sends at once. Meanwhile
            // the test notes when the id reached the map (a figure, not part of the verdict).
            List<Process> senders = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                senders.add(startWaitingSender(ports.get(i), BURST_SENT));
            }
            long slowestTell = 0;
            long slowestAdd = 0;
            for (int i = 0; i < BURST; i++) {
                Path cg = burst.resolve("bpfwatch-test-cg-" + pid + "0" + i);
                Files.createDirectory(cg);
                long t0 = System.nanoTime(); // the cgroup exists (and its inotify event is queued) from here
                long id = cgroupId(cg);
                long added = -1;
                while (System.nanoTime() - t0 < TELL_AFTER_MS * 1_000_000L) {
                    if (added < 0 && holds(ids, id)) {
                        added = System.nanoTime() - t0;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
                var go = senders.get(i).getOutputStream();
                go.write((cg + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                go.flush();
                slowestTell = Math.max(slowestTell, System.nanoTime() - t0);
                slowestAdd = Math.max(slowestAdd, added < 0 ? Long.MAX_VALUE : added);
                made.add(cg);
            }
            for (Process p : senders) {
                finish(p);
            }
            System.out.printf("burst: ids in the map at most %s after mkdir; senders told at most %.1f ms after%n",
                    slowestAdd == Long.MAX_VALUE ? "(one not within " + TELL_AFTER_MS + " ms)"
                            : String.format("%.1f ms", slowestAdd / 1e6), slowestTell / 1e6);
            // Not asserted: on a loaded host the test itself may be late in telling, which
            // only gives the sync more time; the counts below are the verdict.

            String e = Scrape.metrics(agent.port());
            for (String counter : List.of("drops_by_hash", "drops_by_storage")) {
                List<Double> counts = new ArrayList<>();
                for (int port : ports) {
                    counts.add(count(e, counter, port));
                }
                assertEquals(java.util.Collections.nCopies(BURST, (double) BURST_SENT), counts, counter);
            }

            assertFalse(holds(ids, cgroupId(burst)), "the burst's parent does not match");
            List<Long> madeIds = new ArrayList<>();
            for (Path cg : made) {
                madeIds.add(cgroupId(cg));
                Files.delete(cg);
            }
            for (long id : madeIds) {
                awaitHeld(ids, id, false);
            }
        }
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
            assertEquals(SENT, count(e, "drops_by_lru", inside));
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
