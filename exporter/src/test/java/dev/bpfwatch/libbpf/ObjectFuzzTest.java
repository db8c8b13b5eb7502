package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Resources;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and damaged ELF objects through bpfwatch's structure check and
 * libbpf's ELF and BTF readers: each must end in a typed exception (or, if
 * nothing is wrong enough to matter, an object that closes cleanly), never a
 * crash of the JVM or a hang. Seeds are fixed, and the build maps source paths
 * out of the objects, so a failure repeats on any machine.
 */
class ObjectFuzzTest {
    private static final Duration EACH = Duration.ofSeconds(10);

    /** How an object came out of opening: anything else (another exception, a hang) fails the test. */
    enum Outcome { REFUSED_BY_CHECK, REFUSED_BY_LIBBPF, OPENED }

    private static Outcome openAndInspect(String name, byte[] elf) {
        return assertTimeoutPreemptively(EACH, () -> {
            try (BpfObject obj = LibbpfLog.quietly(() -> BpfObject.open(name, elf))) {
                obj.mapSpecs();
                obj.programs().forEach(p -> p.section());
                return Outcome.OPENED;
            } catch (DamagedObjectException refusedBeforeLibbpf) {
                return Outcome.REFUSED_BY_CHECK;
            } catch (LibbpfException refusedByLibbpf) {
                return Outcome.REFUSED_BY_LIBBPF;
            }
        });
    }

    /** Flips bits only inside one section, where libbpf 1.1 trusts what it reads. */
    private static int damageInside(String section, int cases, long seed) throws Exception {
        byte[] real = Files.readAllBytes(Resources.testObject("compat_udp"));
        ElfSections.Section target = ElfSections.read(new ObjectBytes("compat_udp", real)).named(section).orElseThrow();
        Random r = new Random(seed);
        int refused = 0;
        for (int i = 0; i < cases; i++) {
            byte[] b = real.clone();
            for (int f = 1 + r.nextInt(4); f > 0; f--) {
                b[(int) (target.offset() + r.nextInt((int) target.size()))] ^= (byte) (1 << r.nextInt(8));
            }
            refused += openAndInspect(section + i, b) == Outcome.REFUSED_BY_CHECK ? 1 : 0;
        }
        return refused;
    }

    private static java.util.List<String> mapNames(byte[] elf) {
        try (BpfObject obj = LibbpfLog.quietly(() -> BpfObject.open("names", elf))) {
            return obj.mapSpecs().stream().map(MapSpec::name).sorted().toList();
        }
    }

    @Test
    void damagedBtf() throws Exception {
        int refused = damageInside(".BTF", 300, 11);
        assertTrue(refused > 0, "some flips break type ids or names, and the check must catch them");
    }

    @Test
    void damagedBtfExt() throws Exception {
        int refused = damageInside(".BTF.ext", 300, 12);
        assertTrue(refused > 0, "some flips break record counts or string offsets, and the check must catch them");
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
            Outcome o = openAndInspect("random" + i, b);
            // Random bytes are never a BPF object. Behind the ELF magic they fail bpfwatch's structure
            // check; without it they are not ELF at all, which the check leaves to libbpf to say.
            boolean magic = b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
            assertEquals(magic ? Outcome.REFUSED_BY_CHECK : Outcome.REFUSED_BY_LIBBPF, o,
                    "random object " + i + " (" + b.length + " bytes, ELF magic: " + magic + ")");
        }
    }

    @Test
    void truncatedObjects() throws Exception {
        byte[] real = Files.readAllBytes(Resources.testObject("compat_udp"));
        for (int cut = 0; cut < real.length; cut += Math.max(1, real.length / 97)) {
            // The section header table sits at the end of the file: every cut loses part of the object.
            assertNotEquals(Outcome.OPENED, openAndInspect("truncated" + cut, Arrays.copyOf(real, cut)),
                    "object cut to " + cut + " of " + real.length + " bytes opened");
        }
    }

    @Test
    void damagedBtfAndSectionHeaders() throws Exception {
        byte[] real = Files.readAllBytes(Resources.testObject("compat_udp"));
        Random r = new Random(7);
        java.util.List<String> originalMaps = mapNames(real);
        int opened = 0;
        for (int i = 0; i < 200; i++) {
            byte[] b = real.clone();
            int flips = 1 + r.nextInt(8);
            for (int f = 0; f < flips; f++) {
                b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            // Flips may hit bytes nothing reads (padding, unused strings), so some objects still open;
            // those must show the original's maps (a damaged one must not be read as another).
            if (openAndInspect("damaged" + i, b) == Outcome.OPENED) {
                opened++;
                assertEquals(originalMaps, mapNames(b), "maps of damaged object " + i);
            }
        }
        assertTrue(opened < 200, "every damaged object opened: the flips did not reach the object");
    }
}
