package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.LibbpfException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * The counters' series-limit state ({@link dev.bpfwatch.metrics.CounterFolds})
 * kept between runs in a pinned array map beside the config pins: bpffs
 * holds no regular files, and a file elsewhere could belong to another pin
 * path. The map is made to the state's size at each save (chunks of 64 KiB,
 * the first starting with the length) and replaces the old pin in one
 * rename, so a crash mid-save leaves the previous state whole.
 *
 * <p>The pin is named with a '%', which config names cannot hold, so it can
 * never meet a config's directory.
 */
final class CounterStatePin {
    static final String NAME = "%counter_state";
    private static final int CHUNK = 64 * 1024;

    private CounterStatePin() {
    }

    static Optional<byte[]> read(Path pinRoot) {
        Path pin = pinRoot.resolve(NAME);
        if (!Files.exists(pin)) {
            return Optional.empty();
        }
        try (BpfMap map = BpfMap.openPinned(pin.toString())) {
            if (map.type() != BpfMapType.ARRAY || map.keySize() != 4 || map.valueSize() != CHUNK) {
                throw new LibbpfException("read counter state " + pin, 22, "not a map bpfwatch wrote");
            }
            ByteBuffer all = ByteBuffer.allocate(map.maxEntries() * CHUNK);
            for (int i = 0; i < map.maxEntries(); i++) {
                all.put(map.lookup(index(i)).orElseThrow());
            }
            all.flip();
            int length = all.order(ByteOrder.nativeOrder()).getInt();
            if (length < 0 || length > all.remaining()) {
                throw new LibbpfException("read counter state " + pin, 22, "length " + length + " out of range");
            }
            return Optional.of(Arrays.copyOfRange(all.array(), 4, 4 + length));
        }
    }

    static void write(Path pinRoot, byte[] state) {
        int chunks = (state.length + 4 + CHUNK - 1) / CHUNK;
        ByteBuffer all = ByteBuffer.allocate(chunks * CHUNK).order(ByteOrder.nativeOrder());
        all.putInt(state.length).put(state);
        Path fresh = pinRoot.resolve(NAME + "%new");
        try (BpfMap map = BpfMap.create(BpfMapType.ARRAY, "bpfwatch_state", 4, CHUNK, chunks)) {
            for (int i = 0; i < chunks; i++) {
                map.update(index(i), Arrays.copyOfRange(all.array(), i * CHUNK, (i + 1) * CHUNK), BpfMap.BPF_ANY);
            }
            Files.deleteIfExists(fresh);
            map.pin(fresh.toString());
            Files.move(fresh, pinRoot.resolve(NAME), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("save counter state under " + pinRoot + ": " + e.getMessage(), e);
        }
    }

    private static byte[] index(int i) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(i).array();
    }
}
