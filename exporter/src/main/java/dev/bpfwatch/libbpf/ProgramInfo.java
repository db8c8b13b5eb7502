package dev.bpfwatch.libbpf;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * struct bpf_prog_info, the fields bpfwatch reports. Run count and time stay
 * 0 unless kernel BPF stats are on ({@link BpfStats}).
 */
public record ProgramInfo(int id, int type, String tag, String name, long runTimeNs, long runCount) {
    private static final int SIZE = 224;
    private static final int OFF_TAG = 8;
    private static final int OFF_NAME = 64;
    private static final int OFF_RUN_TIME_NS = 192;
    private static final int OFF_RUN_CNT = 200;

    /**
     * The info of the program the kernel knows by {@code id}, or empty when
     * no program has that id (any more).
     */
    public static java.util.Optional<ProgramInfo> ofId(int id) {
        int fd = Native.BPF.bpf_prog_get_fd_by_id(id);
        if (fd < 0) {
            int err = Native.errnoOf(fd);
            if (err == 2) { // ENOENT: unloaded meanwhile
                return java.util.Optional.empty();
            }
            throw new LibbpfException("open program id " + id, err);
        }
        try {
            return java.util.Optional.of(read(fd));
        } finally {
            Native.LIBC.close(fd);
        }
    }

    static ProgramInfo read(int fd) {
        try (NativeBuffer infoBuffer = NativeBuffer.zeroed(SIZE); NativeBuffer lenBuffer = NativeBuffer.allocate(4)) {
            return read(fd, infoBuffer.pointer(), lenBuffer.pointer());
        }
    }

    private static ProgramInfo read(int fd, Pointer info, Pointer len) {
        len.putInt(0, SIZE);
        int rc = Native.BPF.bpf_obj_get_info_by_fd(fd, info, len);
        if (rc < 0) {
            throw new LibbpfException("program info", Native.errnoOf(rc));
        }
        byte[] tag = new byte[8];
        info.get(OFF_TAG, tag, 0, 8);
        return new ProgramInfo(info.getInt(4), info.getInt(0), HexFormat.of().formatHex(tag),
                info.getString(OFF_NAME, 16, StandardCharsets.US_ASCII),
                info.getLong(OFF_RUN_TIME_NS), info.getLong(OFF_RUN_CNT));
    }
}
