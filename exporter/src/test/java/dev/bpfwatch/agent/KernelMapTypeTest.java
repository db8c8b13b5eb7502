package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.KernelMatrix;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config whose object holds a map type the running kernel predates
 * (cgrp_storage, Linux 6.2): one line naming the map and its type, that
 * config alone fails, nothing of it stays loaded. Where the kernel has the
 * type, the same config loads and counts. The matrix has both (5.10 and 6.1
 * lack it).
 */
@Tag("matrix")
class KernelMapTypeTest {
    @TempDir
    Path dir;

    private static final String CONFIG = """
            metrics:
              counters:
                - name: cgrp_storage_runs
                  help: system calls the program saw
            """;

    /** From the release string alone, not from the code under test. */
    private static boolean kernelHasCgrpStorage() {
        String[] v = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        return major > 6 || (major == 6 && minor >= 2);
    }

    @Test
    void aMapTypeTheKernelLacksIsNamedAndFailsOnlyItsConfig() throws Exception {
        ConfigDir.with(dir, "cgrp", "cgrp_storage_map", CONFIG);
        ConfigDir.kaddr(dir);
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            String e = Scrape.metrics(agent.port());
            assertEquals(1, Scrape.value(e, "bpfwatch_enabled_configs", "name=\"kaddr\""), e);
            if (kernelHasCgrpStorage()) {
                assertEquals(1, Scrape.value(e, "bpfwatch_enabled_configs", "name=\"cgrp\""), e);
                assertTrue(Scrape.value(e, "bpfwatch_cgrp_storage_runs_total", "") > 0, e);
                KernelMatrix.works("map type cgrp_storage");
            } else {
                assertEquals(1, Scrape.value(e, "bpfwatch_config_errors", "config=\"cgrp\""), e);
                assertEquals(0, Bpftool.countOwnPrograms("cgrp_storage_c"));
                assertEquals(0, Bpftool.countOwnMaps("cgrp_storage_r"));
                KernelMatrix.notAvailable("map type cgrp_storage", "named at load, the config fails alone");
            }
        }
    }

    @Test
    void strictStartSaysWhichMapAndType() {
        ConfigDir.with(dir, "cgrp", "cgrp_storage_map", CONFIG);
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withStrict(true);
        if (kernelHasCgrpStorage()) {
            Agent.start(options, List.of()).close();
        } else {
            KernelLacksException e = assertThrows(KernelLacksException.class,
                    () -> Agent.start(options, List.of()).close());
            assertEquals("map per_cgroup: map type cgrp_storage is not supported by this kernel", e.getMessage());
        }
        assertEquals(0, Bpftool.countOwnPrograms("cgrp_storage_c"));
    }

    @Test
    void checkSaysWhichMapAndType() {
        ConfigDir.with(dir, "cgrp", "cgrp_storage_map", CONFIG);
        List<String> passed = new java.util.ArrayList<>();
        List<String> errors = ConfigChecker.check(dir, List.of("cgrp"), passed::add);
        if (kernelHasCgrpStorage()) {
            assertEquals(List.of(), errors);
            assertEquals(List.of("cgrp"), passed);
        } else {
            assertEquals(List.of(dir.resolve("cgrp.bpf.o") + ": map per_cgroup: map type cgrp_storage"
                    + " is not supported by this kernel"), errors);
        }
        assertEquals(0, Bpftool.countOwnPrograms("cgrp_storage_c"));
    }
}
