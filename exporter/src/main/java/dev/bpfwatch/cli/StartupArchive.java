package dev.bpfwatch.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Records a class-data-sharing archive of the running agent for the next start of the same jar.
 * The launcher asks for one ({@code -Dbpfwatch.cds.record=PATH}, with
 * {@code -XX:+RecordDynamicDumpInfo}) when it finds none newer than the jar; later starts map the
 * agent's classes already parsed and verified instead of reading them from the jar.
 *
 * <p>Recorded by the agent itself, after it has served a while (a minute by default), rather than
 * at build or install: the classes worth archiving are those a start that loads programs, serves
 * scrapes and reloads uses, and making a package's install load programs to find them out would be
 * wrong. The dump stops the JVM for a moment (about half a second here), once per jar. It is
 * written beside the target and renamed, so a launcher starting meanwhile sees the old file or
 * the new one.
 */
final class StartupArchive {
    private static final Logger LOG = Logger.getLogger(StartupArchive.class.getName());
    static final String PATH_PROPERTY = "bpfwatch.cds.record";
    static final String DELAY_PROPERTY = "bpfwatch.cds.record.delay.seconds";
    private static final long DEFAULT_DELAY_SECONDS = 60;

    private StartupArchive() {
    }

    /** Starts the delayed recording when the launcher asked for it; does nothing otherwise. */
    static void recordLaterIfAsked() {
        String path = System.getProperty(PATH_PROPERTY, "");
        if (path.isEmpty()) {
            return;
        }
        long delay = Long.getLong(DELAY_PROPERTY, DEFAULT_DELAY_SECONDS);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(delay * 1000);
            } catch (InterruptedException e) {
                return;
            }
            record(Path.of(path));
        }, "bpfwatch-cds-record");
        t.setDaemon(true); // a stop before the delay records nothing, and waits for nothing
        t.start();
    }

    static void record(Path archive) {
        Path partial = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmCds",
                    new Object[] {new String[] {"dynamic_dump", partial.toString()}},
                    new String[] {String[].class.getName()});
            if (!Files.isRegularFile(partial)) {
                throw new IOException("the JVM wrote no archive (is -XX:+RecordDynamicDumpInfo set?)");
            }
            long bytes = Files.size(partial);
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info(() -> "class-data archive for the next start written: " + archive + " ("
                    + bytes / (1 << 20) + " MiB)");
        } catch (JMException | IOException | RuntimeException e) {
            LOG.warning("class-data archive " + archive + " not written (the next start reads classes from the jar): "
                    + e.getMessage());
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a partial file in a cache directory; the next recording replaces nothing of it
            }
        }
    }
}
