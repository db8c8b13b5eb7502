package dev.bpfwatch.agent;

import io.prometheus.client.Collector;
import java.util.List;

/**
 * One running piece of the agent: programs it loaded and attached, and the
 * collectors that read them on scrape. Closing it takes its programs out of
 * the kernel (pins it made on purpose stay).
 */
public interface Module extends AutoCloseable {
    /** Short name for logs, the landing page and self-metrics. */
    String name();

    List<Collector> collectors();

    /** The programs it runs now, for the program self-metrics; read at scrape time. */
    default List<ModuleProgram> programReports() {
        return List.of();
    }

    /** The maps it reads now, for the map self-metrics; read at scrape time. */
    default List<ModuleMap> mapReports() {
        return List.of();
    }

    @Override
    void close();
}
