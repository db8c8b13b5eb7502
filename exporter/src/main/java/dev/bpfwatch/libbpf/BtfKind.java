package dev.bpfwatch.libbpf;

/** BTF_KIND_* numbers from the kernel's uapi btf.h: the kind in bits 24-28 of a type's info word. */
final class BtfKind {
    static final int INT = 1;
    static final int PTR = 2;
    static final int ARRAY = 3;
    static final int STRUCT = 4;
    static final int UNION = 5;
    static final int ENUM = 6;
    static final int FWD = 7;
    static final int TYPEDEF = 8;
    static final int VOLATILE = 9;
    static final int CONST = 10;
    static final int RESTRICT = 11;
    static final int FUNC = 12;
    static final int FUNC_PROTO = 13;
    static final int VAR = 14;
    static final int DATASEC = 15;
    static final int FLOAT = 16;
    static final int DECL_TAG = 17;
    static final int TYPE_TAG = 18;
    static final int ENUM64 = 19;

    private BtfKind() {
    }

    /** The kind of a type from its info word. */
    static int of(long info) {
        return (int) (info >>> 24) & 0x1f;
    }
}
