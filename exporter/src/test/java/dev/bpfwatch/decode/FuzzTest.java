package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.resource;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfwatch.decode.DecoderTests.FakeContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random keys never break a decoder: it answers, skips (null) or throws
 * DecoderException, and returns quickly. Anything else would fail a scrape.
 */
class FuzzTest {
    private static final int ROUNDS = 1000;

    @TempDir
    static Path cgroupRoot;

    static Stream<String> decoders() {
        return Stream.of("uint", "hex", "string", "inet_ip", "port", "ifname", "errno", "syscall", "ksym", "kstack",
                "cgroup", "static_map", "regexp", "dname", "majorminor", "enum", "pci_vendor", "pci_device", "pci_class",
                "pci_subclass");
    }

    private static DecoderConfig config(String name) {
        return switch (name) {
            case "static_map" -> new DecoderConfig(name, Map.of("1", "one", "22", "two"), false, null, null, null);
            case "regexp" -> new DecoderConfig(name, null, false, List.of("^a", "[0-9]{3}", "(x|y)+z$"), null, null);
            case "enum" -> new DecoderConfig(name, null, false, null, "skb_drop_reason", "SKB_DROP_REASON_");
            default -> DecoderConfig.named(name);
        };
    }

    @ParameterizedTest
    @MethodSource("decoders")
    void randomInputs(String name) throws IOException {
        Files.createDirectories(cgroupRoot.resolve("a/b"));
        Decoders decoders = Decoders.standard(new FakeContext(
                Map.of("skb_drop_reason", Map.of("SKB_DROP_REASON_NO_SOCKET", 3L, "SKB_CONSUMED", 1L)),
                resource("kallsyms"), cgroupRoot));
        Decoder d = decoders.byName(name).orElseThrow();
        DecoderConfig c = config(name);
        Random random = new Random(name.hashCode());
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < ROUNDS; i++) {
                byte[] in = input(random, i);
                try {
                    d.decode(in, c);
                } catch (DecoderException expected) {
                    // a bad key: counted by the collector, the scrape goes on
                } catch (RuntimeException e) {
                    fail(name + " threw " + e + " on " + Bytes.show(in), e);
                }
            }
        });
    }

    /**
     * Mostly raw random bytes of 0..64; every third input is decimal text, so
     * the decoders that follow uint get past their parsing into lookups.
     */
    private static byte[] input(Random random, int round) {
        int size = random.nextInt(65);
        byte[] in = new byte[size];
        if (round % 3 == 2) {
            for (int j = 0; j < size; j++) {
                in[j] = (byte) ('0' + random.nextInt(10));
            }
            return size > 20 ? Arrays.copyOf(in, 1 + random.nextInt(20)) : in;
        }
        random.nextBytes(in);
        return in;
    }
}
