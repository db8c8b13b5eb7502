package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.decode.DecoderConfig;
import dev.bpfwatch.decode.DecoderContext;
import dev.bpfwatch.decode.Decoders;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The label cache keeps real labels only: a decoder's fallback is asked again next time. */
class LabelDecoderTest {
    @TempDir
    Path dir;

    @Test
    void aFallbackIsNeverCachedAsTheLabel() throws Exception {
        Path root = Files.createDirectory(dir.resolve("cgroups"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere/late.service"));
        long id = ((Number) Files.getAttribute(elsewhere, "unix:ino")).longValue();
        Decoders decoders = Decoders.standard(new DecoderContext() {
            @Override
            public Optional<Map<String, Long>> kernelEnum(String name) {
                return Optional.empty();
            }

            @Override
            public Path kallsyms() {
                return Path.of("/proc/kallsyms");
            }

            @Override
            public Path cgroupRoot() {
                return root;
            }
        });
        List<DecoderConfig> chain = List.of(DecoderConfig.named("uint"), DecoderConfig.named("cgroup"));
        decoders.validateChain(chain, 8);
        LabelDecoder labels = new LabelDecoder(List.of(new LabelSlice("cgroup", 0, 8, chain)), decoders, 100);
        byte[] key = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(id).array();

        assertEquals(List.of("unknown_cgroup_id:" + id), labels.decode(key, 0));
        // the cgroup shows up in the tree (moved in: the same id): the next scrape names it
        Path moved = Files.move(elsewhere, root.resolve("late.service"));
        assertEquals(List.of(moved.toString()), labels.decode(key, 0));
        // and a real label is cached: it stays even after the directory goes
        Files.delete(moved);
        assertEquals(List.of(moved.toString()), labels.decode(key, 0));
    }
}
