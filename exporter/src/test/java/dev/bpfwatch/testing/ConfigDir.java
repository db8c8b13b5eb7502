package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A config directory made for one test: NAME.yaml written from text, NAME.bpf.o copied from a test object. */
public final class ConfigDir {
    private ConfigDir() {
    }

    public static Path with(Path dir, String name, String object, String yaml) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".yaml"), yaml);
            Files.copy(Resources.testObject(object), dir.resolve(name + ".bpf.o"), StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Config "big": programs/testdata/big_map.bpf.c's u64 counters keyed by a u64, one series per entry. */
    public static Path bigCounter(Path dir) {
        return with(dir, "big", "big_map", """
                metrics:
                  counters:
                    - name: big_counter_total
                      help: a large map
                      labels:
                        - name: key
                          size: 8
                          decoders:
                            - name: uint
                """);
    }
}
