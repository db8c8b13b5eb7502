package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Resources;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The structure check in front of libbpf. Each damage below crashes
 * Debian 12's libbpf 1.1 (or sends it into a loop) when handed over as is;
 * here each must come back as one message naming the flaw, and every object
 * the build makes must pass untouched.
 */
class ObjectSanityTest {
    private static final int KIND_PTR = 2;
    private static final int KIND_INT = 1;
    private static final int KIND_FUNC = 12;
    private static final int KIND_VAR = 14;

    /** An object's bytes with the positions the damage needs. */
    private static final class Target {
        final byte[] elf;
        final ElfSections sections;
        final BtfSanity.Types types;
        final ByteBuffer buf;

        Target(String testObject) throws IOException {
            this(Files.readAllBytes(Resources.testObject(testObject)));
        }

        Target(byte[] elf) {
            this.elf = elf;
            this.sections = ElfSections.read(new ObjectBytes("t", elf));
            ElfSections.Section btf = sections.named(".BTF").orElseThrow();
            this.types = BtfSanity.check(new ObjectBytes("t", elf), btf.offset(), btf.size());
            this.buf = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        }

        int firstOfKind(int kind) {
            for (int id = 1; id <= types.count(); id++) {
                if (types.kinds()[id] == kind) {
                    return id;
                }
            }
            throw new AssertionError("no type of kind " + kind);
        }

        /** Sets the word after a type's name and info: its size or the type it refers to. */
        void setTypeField(int id, int value) {
            buf.putInt((int) types.offsets()[id] + 8, value);
        }

        String damage() {
            DamagedObjectException e = assertThrows(DamagedObjectException.class, () -> ObjectSanity.check("t.bpf.o", elf));
            assertTrue(e.getMessage().startsWith("open t.bpf.o: EINVAL (Invalid argument): damaged object: "), e.getMessage());
            return e.getMessage().substring(e.getMessage().indexOf("damaged object: ") + 16);
        }
    }

    static Stream<Path> everyBuiltObject() throws IOException, URISyntaxException {
        List<Path> dirs = List.of(Resources.testObject("compat_udp").getParent(),
                Path.of(ObjectSanityTest.class.getResource("/bpfwatch/configs/").toURI()),
                Path.of(ObjectSanityTest.class.getResource("/bpfwatch/probes/").toURI()));
        List<Path> objects = new ArrayList<>();
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.toString().endsWith(".bpf.o")).forEach(objects::add);
            }
        }
        return objects.stream();
    }

    @Test
    void everyObjectTheBuildMakesPasses() throws Exception {
        List<Path> objects = everyBuiltObject().toList();
        assertTrue(objects.size() >= 12, "bundled, probe and test objects: " + objects);
        for (Path object : objects) {
            assertDoesNotThrow(() -> ObjectSanity.check(object.toString(), Files.readAllBytes(object)), object.toString());
        }
    }

    @Test
    void typeIdPastTheLastTypeIsRefusedBeforeLibbpfReadsIt() throws Exception {
        // The case that crashed libbpf 1.1 in CI: a variable's type id with one bit flipped.
        Target t = new Target("compat_udp");
        int variable = t.firstOfKind(KIND_VAR);
        t.setTypeField(variable, 4118);
        assertEquals("BTF type " + variable + " refers to type 4118; the object has " + t.types.count() + " types", t.damage());
        DamagedObjectException e = assertThrows(DamagedObjectException.class, () -> BpfObject.open("compat_udp", t.elf));
        assertTrue(e.getMessage().startsWith("open compat_udp: "), e.getMessage());
    }

    @Test
    void aPointerToItselfIsALoop() throws Exception {
        Target t = new Target("compat_udp");
        int pointer = t.firstOfKind(KIND_PTR);
        t.setTypeField(pointer, pointer);
        assertEquals("BTF type " + pointer + " starts a loop of types that never ends in a real type", t.damage());
    }

    @Test
    void aFunctionMustHaveAPrototype() throws Exception {
        Target t = new Target("compat_udp");
        int function = t.firstOfKind(KIND_FUNC);
        int integer = t.firstOfKind(KIND_INT);
        t.setTypeField(function, integer);
        assertEquals("BTF function " + function + " has type " + integer + ", which is not a prototype", t.damage());
    }

    @Test
    void relocationNamingAMissingSymbol() throws Exception {
        Target t = new Target("compat_udp");
        ElfSections.Section rel = t.sections.all().stream()
                .filter(s -> s.type() == ElfSections.SHT_REL && s.name().startsWith(".reltp_btf")).findFirst().orElseThrow();
        t.buf.putLong((int) rel.offset() + 8, (0xffffL << 32) | 1);
        assertTrue(t.damage().matches("relocation in \\.reltp_btf/kfree_skb names symbol 65535 of \\d+"), t.damage());
    }

    @Test
    void sectionRunningPastTheEndOfTheFile() throws Exception {
        Target t = new Target("compat_udp");
        long shoff = t.buf.getLong(40);
        int btf = t.sections.named(".BTF").orElseThrow().index();
        t.buf.putLong((int) (shoff + 64L * btf + 32), 1L << 40);
        assertTrue(t.damage().startsWith("section " + btf + " at offset "), t.damage());
    }

    @Test
    void truncatedFileLosesItsSectionTable() throws Exception {
        byte[] whole = Files.readAllBytes(Resources.testObject("compat_udp"));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
        DamagedObjectException e = assertThrows(DamagedObjectException.class, () -> ObjectSanity.check("cut", cut));
        assertTrue(e.getMessage().contains("section table at offset"), e.getMessage());
    }

    @Test
    void coreRelocationNamingAMissingType() throws Exception {
        Target t = new Target(Files.readAllBytes(Path.of(
                ObjectSanityTest.class.getResource("/bpfwatch/configs/tcp_listeners.bpf.o").toURI())));
        ElfSections.Section ext = t.sections.named(".BTF.ext").orElseThrow();
        int at = (int) ext.offset();
        int hdrLen = t.buf.getInt(at + 4);
        int coreOff = t.buf.getInt(at + 24);
        assertTrue(hdrLen >= 32 && t.buf.getInt(at + 28) > 0, "tcp_listeners reads kernel structs through CO-RE");
        int firstRecord = at + hdrLen + coreOff + 4 + 8; // past the record size, the block's name and count
        t.buf.putInt(firstRecord + 4, 1 << 20);
        assertEquals("BTF.ext CO-RE relocation names type 1048576 of " + t.types.count(), t.damage());
    }

    @Test
    void bigEndianObjectIsNamedForWhatItIs() throws Exception {
        Target t = new Target("compat_udp");
        t.elf[5] = 2;
        assertEquals("not a 64-bit little-endian ELF object, as BPF objects for this host are", t.damage());
    }

    @Test
    void bytesThatAreNotElfAreLeftToLibbpf() {
        assertDoesNotThrow(() -> ObjectSanity.check("text", "hello".getBytes()));
        LibbpfException e = assertThrows(LibbpfException.class, () -> BpfObject.open("text", "hello".getBytes()));
        assertTrue(e.getMessage().startsWith("open text: "), e.getMessage());
    }
}
