package dev.bpfwatch.libbpf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The section table of a 64-bit little-endian ELF object, checked so that
 * every section's bytes, name, link and symbol lie inside the file.
 */
final class ElfSections {
    static final int SHT_NOBITS = 8;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_REL = 9;
    private static final int SECTION_HEADER_SIZE = 64;
    private static final int SYMBOL_SIZE = 24;
    private static final int REL_SIZE = 16;
    /** Section indexes from here up are special (SHN_ABS, SHN_COMMON, ...), not table entries. */
    private static final int SHN_LORESERVE = 0xff00;

    record Section(int index, String name, long type, long offset, long size, long link, long info) {
        boolean hasBytes() {
            return type != SHT_NOBITS && size > 0;
        }
    }

    private final ObjectBytes bytes;
    private final List<Section> sections = new ArrayList<>();

    private ElfSections(ObjectBytes bytes) {
        this.bytes = bytes;
    }

    /** True when the bytes start with the ELF magic; anything else is left to libbpf to refuse. */
    static boolean looksLikeElf(byte[] elf) {
        return elf.length >= 4 && elf[0] == 0x7f && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F';
    }

    static ElfSections read(ObjectBytes bytes) {
        ElfSections elf = new ElfSections(bytes);
        elf.readTable();
        elf.checkSymbolsAndRelocations();
        return elf;
    }

    List<Section> all() {
        return Collections.unmodifiableList(sections);
    }

    Optional<Section> named(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private void readTable() {
        if (bytes.u8(4, "ELF class") != 2 || bytes.u8(5, "ELF data encoding") != 1) {
            throw bytes.damaged("not a 64-bit little-endian ELF object, as BPF objects for this host are");
        }
        long shoff = bytes.u64(40, "e_shoff");
        int shentsize = bytes.u16(58, "e_shentsize");
        int shnum = bytes.u16(60, "e_shnum");
        int shstrndx = bytes.u16(62, "e_shstrndx");
        if (shentsize != SECTION_HEADER_SIZE) {
            throw bytes.damaged("section header size " + shentsize + ", expected " + SECTION_HEADER_SIZE);
        }
        if (shnum == 0 || shstrndx >= shnum) {
            throw bytes.damaged(shnum == 0 ? "no section table (or extended section numbering, which BPF objects never need)"
                    : "section name table index " + shstrndx + " is not among the " + shnum + " sections");
        }
        bytes.need(shoff, (long) shnum * SECTION_HEADER_SIZE, "section table");
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            long at = shoff + (long) i * SECTION_HEADER_SIZE;
            raw[i] = new long[] {bytes.u32(at, "sh_name"), bytes.u32(at + 4, "sh_type"), bytes.u64(at + 24, "sh_offset"),
                bytes.u64(at + 32, "sh_size"), bytes.u32(at + 40, "sh_link"), bytes.u32(at + 44, "sh_info")};
            if (raw[i][1] != SHT_NOBITS) {
                bytes.need(raw[i][2], raw[i][3], "section " + i);
            }
            if (raw[i][4] >= shnum) {
                throw bytes.damaged("section " + i + " links to section " + raw[i][4] + " of " + shnum);
            }
        }
        long namesAt = raw[shstrndx][2];
        long namesSize = raw[shstrndx][3];
        for (int i = 0; i < shnum; i++) {
            String name = string(namesAt, namesSize, raw[i][0], "name of section " + i);
            sections.add(new Section(i, name, raw[i][1], raw[i][2], raw[i][3], raw[i][4], raw[i][5]));
        }
    }

    /** A NUL-terminated string at offset {@code off} of a string table. */
    private String string(long tableAt, long tableSize, long off, String what) {
        if (off >= tableSize) {
            throw bytes.damaged(what + " at string offset " + off + " is outside its string table (" + tableSize + " bytes)");
        }
        StringBuilder sb = new StringBuilder();
        for (long p = tableAt + off; p < tableAt + tableSize; p++) {
            int c = bytes.u8(p, what);
            if (c == 0) {
                return new String(sb.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
            sb.append((char) c);
        }
        throw bytes.damaged(what + " is not NUL-terminated inside its string table");
    }

    private void checkSymbolsAndRelocations() {
        List<Section> symtabs = sections.stream().filter(s -> s.type() == SHT_SYMTAB).toList();
        if (symtabs.size() > 1) {
            throw bytes.damaged(symtabs.size() + " symbol tables; an object has one");
        }
        long symbols = symtabs.isEmpty() ? 0 : checkSymbols(symtabs.get(0));
        for (Section s : sections) {
            if (s.type() == SHT_REL) {
                checkRelocations(s, symtabs.isEmpty() ? -1 : symtabs.get(0).index(), symbols);
            }
        }
    }

    private long checkSymbols(Section symtab) {
        if (symtab.size() % SYMBOL_SIZE != 0) {
            throw bytes.damaged("symbol table size " + symtab.size() + " is not a whole number of symbols");
        }
        Section names = sections.get((int) symtab.link());
        if (names.type() != SHT_STRTAB) {
            throw bytes.damaged("symbol table links to section " + names.index() + ", which is not a string table");
        }
        long count = symtab.size() / SYMBOL_SIZE;
        for (long i = 0; i < count; i++) {
            long at = symtab.offset() + i * SYMBOL_SIZE;
            string(names.offset(), names.size(), bytes.u32(at, "st_name"), "name of symbol " + i);
            int shndx = bytes.u16(at + 6, "st_shndx");
            if (shndx < SHN_LORESERVE && shndx >= sections.size()) {
                throw bytes.damaged("symbol " + i + " points to section " + shndx + " of " + sections.size());
            }
        }
        return count;
    }

    private void checkRelocations(Section rel, int symtabIndex, long symbols) {
        if (rel.size() % REL_SIZE != 0) {
            throw bytes.damaged("relocation section " + rel.name() + " is not a whole number of entries");
        }
        if (rel.link() != symtabIndex || rel.info() >= sections.size()) {
            throw bytes.damaged("relocation section " + rel.name() + " names symbol table " + rel.link()
                    + " and target section " + rel.info());
        }
        Section target = sections.get((int) rel.info());
        for (long at = rel.offset(); at < rel.offset() + rel.size(); at += REL_SIZE) {
            long offset = bytes.u64(at, "r_offset");
            long symbol = bytes.u64(at + 8, "r_info") >>> 32;
            if (symbol >= symbols) {
                throw bytes.damaged("relocation in " + rel.name() + " names symbol " + symbol + " of " + symbols);
            }
            if (offset >= target.size()) {
                throw bytes.damaged("relocation in " + rel.name() + " at " + offset + " is past the end of "
                        + target.name() + " (" + target.size() + " bytes)");
            }
        }
    }
}
