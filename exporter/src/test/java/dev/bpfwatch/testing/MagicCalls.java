package dev.bpfwatch.testing;

import dev.bpfwatch.libbpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LibraryLoader;

/**
 * The calls the attach-type test programs count (programs/include/attach_test.h):
 * getpgid(0x7eadbeef), made by this JVM through libc, so the uprobe on libc's
 * getpgid sees them as well as the syscall hooks. No pid can be that large
 * (pid_max is at most 2^22), so the kernel answers ESRCH and no real caller
 * makes the same call.
 */
public final class MagicCalls {
    public static final int MAGIC_PID = 0x7eadbeef;
    private static final int ESRCH = 3;

    /** Public for jnr-ffi's generated class; libc, not libbpf. */
    public interface Libc {
        int getpgid(int pid);
    }

    private static final Libc LIBC = LibraryLoader.create(Libc.class).failImmediately().load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    private MagicCalls() {
    }

    /**
     * Makes {@code n} magic calls, each followed by an ordinary getpgid(0)
     * that the programs must not count: the count says the filter works too.
     */
    public static void make(int n) {
        for (int i = 0; i < n; i++) {
            int rc = LIBC.getpgid(MAGIC_PID);
            int err = RUNTIME.getLastError();
            if (rc != -1 || err != ESRCH) {
                throw new AssertionError("getpgid(0x7eadbeef) gave " + rc + " errno " + err + ", expected -1 ESRCH");
            }
            if (LIBC.getpgid(0) <= 0) {
                throw new AssertionError("getpgid(0) failed: errno " + RUNTIME.getLastError());
            }
        }
    }

    /** What a program's magic_calls map (u32 tgid -> u64) holds for {@code tgid}; 0 when nothing. */
    public static long counted(BpfMap calls, long tgid) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) tgid).array();
        return calls.lookup(key).map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(0)).orElse(0L);
    }
}
