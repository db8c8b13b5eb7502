package dev.bpfwatch.libbpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * The BTF carried by an opened object (from clang -g): types of map keys and
 * values, and of records iterator programs write. Owned by its
 * {@link BpfObject}; valid while it is open.
 */
public final class ObjectBtf {
    private static final int TYPE_HEADER = 12;

    private final BpfObject owner;

    ObjectBtf(BpfObject owner) {
        this.owner = owner;
    }

    private Pointer btf() {
        Pointer btf = Native.BPF.bpf_object__btf(owner.handle());
        if (btf == null) {
            throw new LibbpfException("BTF of " + owner.name(), 61, "object has no BTF (compile with clang -g)");
        }
        return btf;
    }

    /** The struct with this type id (typedefs and qualifiers followed); empty if it is not a struct. */
    public Optional<BtfStruct> struct(int typeId) {
        Pointer btf = btf();
        int id = skipModifiers(btf, typeId);
        Pointer t = Native.BPF.btf__type_by_id(btf, id);
        if (t == null || !(kind(t) == BtfKind.STRUCT || kind(t) == BtfKind.UNION)) {
            return Optional.empty();
        }
        return Optional.of(readStruct(btf, t));
    }

    /** A struct by name, e.g. the record type of an iterator program. */
    public Optional<BtfStruct> struct(String name) {
        Pointer btf = btf();
        int id = Native.BPF.btf__find_by_name_kind(btf, name, BtfKind.STRUCT);
        return id < 0 ? Optional.empty() : struct(id);
    }

    /** Where a global variable sits inside its data section (e.g. .rodata): offset and size. */
    public Optional<int[]> globalVariable(String section, String variable) {
        Pointer btf = btf();
        int id = Native.BPF.btf__find_by_name_kind(btf, section, BtfKind.DATASEC);
        if (id < 0) {
            return Optional.empty();
        }
        Pointer sec = Native.BPF.btf__type_by_id(btf, id);
        int vlen = sec.getInt(4) & 0xffff;
        for (int i = 0; i < vlen; i++) {
            long at = TYPE_HEADER + i * 12L;
            Pointer var = Native.BPF.btf__type_by_id(btf, sec.getInt(at));
            if (var != null && variable.equals(Native.BPF.btf__name_by_offset(btf, var.getInt(0)))) {
                return Optional.of(new int[] {sec.getInt(at + 4), sec.getInt(at + 8)});
            }
        }
        return Optional.empty();
    }

    private static BtfStruct readStruct(Pointer btf, Pointer t) {
        int vlen = t.getInt(4) & 0xffff;
        boolean bitfieldEncoding = (t.getInt(4) & 0x80000000) != 0;
        List<BtfStruct.Field> fields = new ArrayList<>();
        for (int i = 0; i < vlen; i++) {
            long at = TYPE_HEADER + i * 12L;
            String name = Native.BPF.btf__name_by_offset(btf, t.getInt(at));
            int memberType = t.getInt(at + 4);
            int offsetBits = t.getInt(at + 8);
            if (bitfieldEncoding) {
                offsetBits &= 0xffffff; // upper 8 bits hold the bitfield size
            }
            int resolved = skipModifiers(btf, memberType);
            Pointer mt = Native.BPF.btf__type_by_id(btf, resolved);
            long size = Native.BPF.btf__resolve_size(btf, resolved);
            fields.add(new BtfStruct.Field(name == null ? "" : name, offsetBits / 8, (int) Math.max(0, size),
                    kindOf(mt), isSigned(mt)));
        }
        String name = Native.BPF.btf__name_by_offset(btf, t.getInt(0));
        return new BtfStruct(name == null ? "" : name, t.getInt(8), fields);
    }

    private static int skipModifiers(Pointer btf, int typeId) {
        int id = typeId;
        for (int depth = 0; depth < 32; depth++) {
            Pointer t = Native.BPF.btf__type_by_id(btf, id);
            if (t == null) {
                return id;
            }
            int k = kind(t);
            if (k == BtfKind.TYPEDEF || k == BtfKind.VOLATILE || k == BtfKind.CONST || k == BtfKind.RESTRICT || k == BtfKind.TYPE_TAG) {
                id = t.getInt(8);
            } else {
                return id;
            }
        }
        return id;
    }

    private static int kind(Pointer t) {
        return BtfKind.of(t.getInt(4) & 0xffffffffL);
    }

    private static BtfStruct.Kind kindOf(Pointer t) {
        if (t == null) {
            return BtfStruct.Kind.OTHER;
        }
        switch (kind(t)) {
            case BtfKind.INT: return BtfStruct.Kind.INT;
            case BtfKind.ENUM: case BtfKind.ENUM64: return BtfStruct.Kind.ENUM;
            case BtfKind.ARRAY: return BtfStruct.Kind.ARRAY;
            case BtfKind.STRUCT: case BtfKind.UNION: return BtfStruct.Kind.STRUCT;
            case BtfKind.PTR: return BtfStruct.Kind.POINTER;
            default: return BtfStruct.Kind.OTHER;
        }
    }

    private static boolean isSigned(Pointer t) {
        if (t == null) {
            return false;
        }
        if (kind(t) == BtfKind.INT) {
            int encoding = (t.getInt(TYPE_HEADER) >>> 24) & 0x0f;
            return (encoding & 1) != 0; // BTF_INT_SIGNED
        }
        if (kind(t) == BtfKind.ENUM || kind(t) == BtfKind.ENUM64) {
            return (t.getInt(4) & 0x80000000) != 0;
        }
        return false;
    }
}
