package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bpfwatch.testing.Resources;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and damaged ELF objects through libbpf's ELF and BTF readers: each
 * must end in a typed exception (or, if libbpf finds nothing wrong, an
 * object that closes cleanly), never a crash of the JVM or a hang. Seeds are
 * fixed so a failure repeats.
 */
class ObjectFuzzTest {
    private static final Duration EACH = Duration.ofSeconds(10);

    private static void openAndInspect(String name, byte[] elf) {
        assertTimeoutPreemptively(EACH, () -> {
            try (BpfObject obj = LibbpfLog.quietly(() -> BpfObject.open(name, elf))) {
                obj.mapSpecs();
                obj.programs().forEach(p -> p.section());
            } catch (LibbpfException expected) {
                // the typed outcome we want
            }
        });
    }

    @Test
    void randomBytes() {
        Random r = new Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[r.nextInt(8192)];
            r.nextBytes(b);
            if (b.length >= 4 && i % 2 == 0) {
                b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F'; // get past the magic half the time
            }
            openAndInspect("random" + i, b);
        }
    }

    @Test
    void truncatedObjects() throws Exception {
        byte[] real = Files.readAllBytes(Resources.testObject("compat_udp"));
        for (int cut = 0; cut < real.length; cut += Math.max(1, real.length / 97)) {
            openAndInspect("truncated" + cut, Arrays.copyOf(real, cut));
        }
    }

    @Test
    void damagedBtfAndSectionHeaders() throws Exception {
        byte[] real = Files.readAllBytes(Resources.testObject("compat_udp"));
        Random r = new Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] b = real.clone();
            int flips = 1 + r.nextInt(8);
            for (int f = 0; f < flips; f++) {
                b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            openAndInspect("damaged" + i, b);
        }
    }
}
