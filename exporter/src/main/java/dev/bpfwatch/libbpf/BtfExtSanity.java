package dev.bpfwatch.libbpf;

/**
 * Checks a .BTF.ext section: its function, line and CO-RE relocation records
 * in bounds, and every section name, string and type id they hold pointing
 * into the object's BTF. libbpf 1.1 checks the layout but looks names and
 * types up without checking the result.
 */
final class BtfExtSanity {
    private static final int MIN_HEADER = 24;
    private static final int CORE_HEADER = 32;
    private static final int FUNC_INFO = 8;
    private static final int LINE_INFO = 16;
    private static final int CORE_RELO = 16;

    private final ObjectBytes bytes;
    private final BtfSanity.Types types;
    private final long data;
    private final long dataSize;

    private BtfExtSanity(ObjectBytes bytes, BtfSanity.Types types, long data, long dataSize) {
        this.bytes = bytes;
        this.types = types;
        this.data = data;
        this.dataSize = dataSize;
    }

    static void check(ObjectBytes bytes, long at, long size, BtfSanity.Types types) {
        if (size < MIN_HEADER || bytes.u16(at, "BTF.ext magic") != BtfSanity.MAGIC) {
            throw bytes.damaged(".BTF.ext does not start with its header");
        }
        long hdrLen = bytes.u32(at + 4, "BTF.ext hdr_len");
        if (hdrLen < MIN_HEADER || hdrLen > size) {
            throw bytes.damaged("BTF.ext header length " + hdrLen + " in a " + size + "-byte .BTF.ext");
        }
        BtfExtSanity ext = new BtfExtSanity(bytes, types, at + hdrLen, size - hdrLen);
        ext.infoSection("function info", bytes.u32(at + 8, "func_info_off"), bytes.u32(at + 12, "func_info_len"), FUNC_INFO);
        ext.infoSection("line info", bytes.u32(at + 16, "line_info_off"), bytes.u32(at + 20, "line_info_len"), LINE_INFO);
        if (hdrLen >= CORE_HEADER) {
            ext.infoSection("CO-RE relocations", bytes.u32(at + 24, "core_relo_off"), bytes.u32(at + 28, "core_relo_len"), CORE_RELO);
        }
    }

    /** One sub-section: a record size, then blocks of {section name, count, records}. */
    private void infoSection(String what, long off, long len, int minRecord) {
        if (len == 0) {
            return;
        }
        if (off + len > dataSize || len < 4) {
            throw bytes.damaged("BTF.ext " + what + " [" + off + ", +" + len + ") outside the " + dataSize + " bytes of data");
        }
        long p = data + off;
        long end = p + len;
        long recordSize = bytes.u32(p, "BTF.ext record size");
        if (recordSize < minRecord || recordSize % 4 != 0) {
            throw bytes.damaged("BTF.ext " + what + " record size " + recordSize);
        }
        for (p += 4; p < end; ) {
            if (p + 8 > end) {
                throw bytes.damaged("BTF.ext " + what + " block header cut off");
            }
            string(what + " section name", bytes.u32(p, "sec_name_off"));
            long count = bytes.u32(p + 4, "num_info");
            p += 8;
            if (count == 0 || count * recordSize > end - p) {
                throw bytes.damaged("BTF.ext " + what + " block of " + count + " records does not fit");
            }
            for (long i = 0; i < count; i++, p += recordSize) {
                record(what, p);
            }
        }
    }

    private void record(String what, long p) {
        switch (what) {
            case "function info" -> {
                long type = bytes.u32(p + 4, "func_info type_id");
                if (type > types.count() || types.kinds()[(int) type] != BtfKind.FUNC) {
                    throw bytes.damaged("BTF.ext function info names type " + type + ", which is not a function");
                }
            }
            case "line info" -> {
                string("line info file name", bytes.u32(p + 4, "file_name_off"));
                string("line info source line", bytes.u32(p + 8, "line_off"));
            }
            default -> {
                long type = bytes.u32(p + 4, "CO-RE type_id");
                if (type == 0 || type > types.count()) {
                    throw bytes.damaged("BTF.ext CO-RE relocation names type " + type + " of " + types.count());
                }
                string("CO-RE access string", bytes.u32(p + 8, "access_str_off"));
            }
        }
    }

    private void string(String what, long offset) {
        if (offset >= types.stringsSize()) {
            throw bytes.damaged("BTF.ext " + what + " at string offset " + offset + ", past the "
                    + types.stringsSize() + "-byte BTF string section");
        }
    }
}
