package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A config directory made for one test: NAME.yaml written from text, NAME.bpf.o copied from a test object. */
public final class ConfigDir {
    /** test_maps' test_hash as one counter per u64 key (label {@code key}, decoder uint). */
    public static final String TEST_HASH_BY_KEY = """
            metrics:
              counters:
                - name: test_hash
                  help: Counters by key.
                  labels:
                    - name: key
                      size: 8
                      decoders:
                        - name: uint
            """;

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

    /**
     * Config "netns_drops": programs/testdata/netns_drops.bpf.c, drops by
     * network namespace (inode) and reason. A test that sends in a namespace
     * it made reads exactly its own drops from series with its netns label.
     */
    public static Path netnsDrops(Path dir) {
        return with(dir, "netns_drops", "netns_drops", """
                metrics:
                  counters:
                    - name: netns_drops
                      help: Packets the kernel freed as dropped, by network namespace and drop reason.
                      labels:
                        - name: netns
                          size: 4
                          decoders:
                            - name: uint
                        - name: reason
                          size: 4
                          decoders:
                            - name: uint
                            - name: enum
                              enum: skb_drop_reason
                              strip_prefix: SKB_DROP_REASON_
                """);
    }

    /** The embedded default config (kfree_skb_drops) copied into {@code dir}, to run beside test configs. */
    public static Path defaultDrops(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String file : new String[] {"kfree_skb_drops.yaml", "kfree_skb_drops.bpf.o"}) {
                try (var in = ConfigDir.class.getResourceAsStream("/bpfwatch/configs/" + file)) {
                    if (in == null) {
                        throw new IllegalStateException("the build did not embed " + file);
                    }
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
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

    /**
     * Config "kaddr": programs/testdata/kaddr.bpf.c, which hands back the
     * address of tcp_v4_connect the agent wrote into it (a config that loads
     * on every kernel, beside one a test expects to fail).
     */
    public static Path kaddr(Path dir) {
        return with(dir, "kaddr", "kaddr", """
                kaddrs:
                  - tcp_v4_connect
                metrics:
                  gauges:
                    - name: kaddr_seen
                      help: the address the program was given
                """);
    }

    /**
     * Config "mixed": programs/testdata/mixed_fentry.bpf.c, one program that
     * loads everywhere beside programs some or all kernels cannot take.
     */
    public static Path mixedFentry(Path dir) {
        return with(dir, "mixed", "mixed_fentry", """
                metrics:
                  counters:
                    - name: raw_tp_calls
                      help: magic calls seen by the raw tracepoint
                      labels:
                        - name: pid
                          size: 4
                          decoders:
                            - name: uint
                    - name: fentry_calls
                      help: magic calls seen by the fentry program
                      labels:
                        - name: pid
                          size: 4
                          decoders:
                            - name: uint
                """);
    }
}
