package dev.bpfwatch.libbpf;

import static dev.bpfwatch.libbpf.BtfKind.ARRAY;
import static dev.bpfwatch.libbpf.BtfKind.CONST;
import static dev.bpfwatch.libbpf.BtfKind.DATASEC;
import static dev.bpfwatch.libbpf.BtfKind.DECL_TAG;
import static dev.bpfwatch.libbpf.BtfKind.ENUM;
import static dev.bpfwatch.libbpf.BtfKind.ENUM64;
import static dev.bpfwatch.libbpf.BtfKind.FLOAT;
import static dev.bpfwatch.libbpf.BtfKind.FUNC;
import static dev.bpfwatch.libbpf.BtfKind.FUNC_PROTO;
import static dev.bpfwatch.libbpf.BtfKind.FWD;
import static dev.bpfwatch.libbpf.BtfKind.INT;
import static dev.bpfwatch.libbpf.BtfKind.PTR;
import static dev.bpfwatch.libbpf.BtfKind.RESTRICT;
import static dev.bpfwatch.libbpf.BtfKind.STRUCT;
import static dev.bpfwatch.libbpf.BtfKind.TYPEDEF;
import static dev.bpfwatch.libbpf.BtfKind.TYPE_TAG;
import static dev.bpfwatch.libbpf.BtfKind.UNION;
import static dev.bpfwatch.libbpf.BtfKind.VAR;
import static dev.bpfwatch.libbpf.BtfKind.VOLATILE;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a .BTF section the way newer libbpf releases do before trusting it
 * (Debian 12's libbpf 1.1 does not): header and sections in bounds, every
 * type record whole, every name inside the string section, every type id it
 * refers to present, and no loop of typedefs, qualifiers or pointers that
 * libbpf would follow forever.
 */
final class BtfSanity {
    static final int MAGIC = 0xeb9f;
    private static final int HEADER_SIZE = 24;
    private static final int TYPE_HEADER = 12;


    /**
     * What the BTF.ext check needs to know of the types: their kinds and the
     * string section's size; and where each record starts in the file.
     */
    record Types(int[] kinds, long[] offsets, long stringsSize) {
        int count() {
            return kinds.length - 1;
        }
    }

    private final ObjectBytes bytes;
    private final long at;
    private final long size;
    private long typesAt;
    private long typesLen;
    private long stringsAt;
    private long stringsLen;
    /** {data section id, variable type id} pairs. */
    private final List<int[]> sectionVariables = new ArrayList<>();

    private BtfSanity(ObjectBytes bytes, long at, long size) {
        this.bytes = bytes;
        this.at = at;
        this.size = size;
    }

    static Types check(ObjectBytes bytes, long at, long size) {
        return new BtfSanity(bytes, at, size).check();
    }

    private Types check() {
        readHeader();
        int[] kinds = new int[1 + countTypes()];
        int[] refs = new int[kinds.length];
        long[] offsets = new long[kinds.length];
        long p = typesAt;
        for (int id = 1; id < kinds.length; id++) {
            offsets[id] = p;
            p = checkType(id, p, kinds, refs);
        }
        checkReferences(kinds, refs);
        checkChains(kinds, refs);
        return new Types(kinds, offsets, stringsLen);
    }

    private void readHeader() {
        if (size < HEADER_SIZE || bytes.u16(at, "BTF magic") != MAGIC) {
            throw bytes.damaged(".BTF does not start with the BTF header");
        }
        long hdrLen = bytes.u32(at + 4, "BTF hdr_len");
        long typeOff = bytes.u32(at + 8, "BTF type_off");
        typesLen = bytes.u32(at + 12, "BTF type_len");
        long strOff = bytes.u32(at + 16, "BTF str_off");
        stringsLen = bytes.u32(at + 20, "BTF str_len");
        if (hdrLen < HEADER_SIZE || hdrLen > size) {
            throw bytes.damaged("BTF header length " + hdrLen + " in a " + size + "-byte .BTF");
        }
        long data = size - hdrLen;
        if (typeOff % 4 != 0 || typeOff + typesLen > data || strOff + stringsLen > data || stringsLen == 0) {
            throw bytes.damaged("BTF type section [" + typeOff + ", +" + typesLen + ") or string section ["
                    + strOff + ", +" + stringsLen + ") does not fit the " + data + " bytes after the header");
        }
        typesAt = at + hdrLen + typeOff;
        stringsAt = at + hdrLen + strOff;
        if (bytes.u8(stringsAt, "BTF strings") != 0 || bytes.u8(stringsAt + stringsLen - 1, "BTF strings") != 0) {
            throw bytes.damaged("BTF string section does not start and end with NUL");
        }
    }

    /** Walks the records once only to count them, so ids can be checked against the total. */
    private int countTypes() {
        int count = 0;
        for (long p = typesAt; p < typesAt + typesLen; count++) {
            p += recordLength(count + 1, p);
        }
        return count;
    }

    private long recordLength(int id, long p) {
        if (p + TYPE_HEADER > typesAt + typesLen) {
            throw bytes.damaged("BTF type " + id + " is cut off at the end of the type section");
        }
        long info = bytes.u32(p + 4, "BTF info");
        int kind = BtfKind.of(info);
        int vlen = (int) (info & 0xffff);
        long extra = switch (kind) {
            case INT, VAR, DECL_TAG -> 4;
            case PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> 0;
            case ARRAY -> 12;
            case STRUCT, UNION, DATASEC, ENUM64 -> 12L * vlen;
            case ENUM, FUNC_PROTO -> 8L * vlen;
            default -> throw bytes.damaged("BTF type " + id + " has unknown kind " + kind);
        };
        long length = TYPE_HEADER + extra;
        if (p + length > typesAt + typesLen) {
            throw bytes.damaged("BTF type " + id + " (kind " + kind + ", " + vlen + " entries) runs past the type section");
        }
        return length;
    }

    /** Checks one record's names and remembers its kind and the type it points to, if any. */
    private long checkType(int id, long p, int[] kinds, int[] refs) {
        long length = recordLength(id, p);
        long info = bytes.u32(p + 4, "BTF info");
        int kind = BtfKind.of(info);
        int vlen = (int) (info & 0xffff);
        kinds[id] = kind;
        name(id, bytes.u32(p, "BTF name_off"));
        long body = p + TYPE_HEADER;
        switch (kind) {
            case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR, DECL_TAG, TYPE_TAG ->
                refs[id] = typeId(id, bytes.u32(p + 8, "BTF type"), kinds.length);
            case ARRAY -> {
                refs[id] = typeId(id, bytes.u32(body, "array element type"), kinds.length);
                typeId(id, bytes.u32(body + 4, "array index type"), kinds.length);
            }
            case STRUCT, UNION -> members(id, body, vlen, kinds.length);
            case DATASEC -> variables(id, body, vlen, kinds.length);
            case ENUM, ENUM64 -> enumerators(id, body, vlen, kind == ENUM ? 8 : 12);
            default -> { }
        }
        if (kind == FUNC_PROTO) {
            for (int i = 0; i < vlen; i++) {
                name(id, bytes.u32(body + 8L * i, "parameter name"));
                typeId(id, bytes.u32(body + 8L * i + 4, "parameter type"), kinds.length);
            }
        }
        return p + length;
    }

    private void members(int id, long body, int vlen, int limit) {
        for (int i = 0; i < vlen; i++) {
            long m = body + 12L * i;
            name(id, bytes.u32(m, "member name"));
            typeId(id, bytes.u32(m + 4, "member type"), limit);
        }
    }

    /** A data section's entries are {type, offset, size}; their types are checked once all kinds are known. */
    private void variables(int id, long body, int vlen, int limit) {
        for (int i = 0; i < vlen; i++) {
            sectionVariables.add(new int[] {id, typeId(id, bytes.u32(body + 12L * i, "variable type"), limit)});
        }
    }

    private void enumerators(int id, long body, int vlen, int stride) {
        for (int i = 0; i < vlen; i++) {
            name(id, bytes.u32(body + (long) stride * i, "enumerator name"));
        }
    }

    private void name(int id, long offset) {
        if (offset >= stringsLen) {
            throw bytes.damaged("BTF type " + id + " has a name at string offset " + offset
                    + ", past the " + stringsLen + "-byte string section");
        }
    }

    private int typeId(int id, long ref, int limit) {
        if (ref >= limit) {
            throw bytes.damaged("BTF type " + id + " refers to type " + ref + "; the object has " + (limit - 1) + " types");
        }
        return (int) ref;
    }

    /** Kinds libbpf dereferences without checking: a function must have a prototype, a data section holds variables. */
    private void checkReferences(int[] kinds, int[] refs) {
        for (int id = 1; id < kinds.length; id++) {
            if (kinds[id] == FUNC && kinds[refs[id]] != FUNC_PROTO) {
                throw bytes.damaged("BTF function " + id + " has type " + refs[id] + ", which is not a prototype");
            }
        }
        for (int[] v : sectionVariables) {
            if (kinds[v[1]] != VAR && kinds[v[1]] != FUNC) {
                throw bytes.damaged("BTF data section " + v[0] + " lists type " + v[1] + ", which is not a variable");
            }
        }
    }

    /** Follows each chain of pointer-like kinds to its end; coming back to a type on the chain is a loop. */
    private void checkChains(int[] kinds, int[] refs) {
        byte[] state = new byte[kinds.length]; // 0 unseen, 1 on the current chain, 2 ends well
        for (int start = 1; start < kinds.length; start++) {
            int id = start;
            while (id != 0 && state[id] == 0 && followsType(kinds[id])) {
                state[id] = 1;
                id = refs[id];
            }
            if (id != 0 && state[id] == 1) {
                throw bytes.damaged("BTF type " + start + " starts a loop of types that never ends in a real type");
            }
            for (id = start; id != 0 && state[id] == 1; id = refs[id]) {
                state[id] = 2;
            }
        }
    }

    private static boolean followsType(int kind) {
        return switch (kind) {
            case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, ARRAY, VAR, DECL_TAG -> true;
            default -> false;
        };
    }
}
