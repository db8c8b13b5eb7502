package dev.bpfwatch.libbpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the binding needs around libbpf: fds, sockets, mounts,
 * formatting. Public for jnr-ffi's generated class only, like {@link LibbpfNative}.
 */
public interface LibcNative {
    @ssize_t long read(int fd, @Out Pointer buf, @size_t long count);

    int close(int fd);

    /** malloc(3), calloc(3), free(3): for {@link NativeBuffer}, freed when the call is done. */
    @intptr_t long malloc(@size_t long size);

    @intptr_t long calloc(@size_t long count, @size_t long size);

    void free(@intptr_t long address);

    /** mallopt(3): tunes glibc's malloc ({@link NativeHeap}); 1 on success. */
    int mallopt(int param, int value);

    int vsnprintf(@Out Pointer buf, @size_t long size, @In Pointer format, Pointer vaList);

    int setsockopt(int fd, int level, int option, @In Pointer value, int length);

    int getsockopt(int fd, int level, int option, @Out Pointer value, Pointer length);

    int mount(String source, String target, String fsType, long flags, Pointer data);

    /** syscall(2) with two int arguments: pidfd_open(pid, flags). */
    long syscall(long number, int arg0, int arg1);

    /** syscall(2) with three int arguments: pidfd_getfd(pidfd, targetfd, flags). */
    long syscall(long number, int arg0, int arg1, int arg2);

    /** syscall(2) for perf_event_open(attr, pid, cpu, group_fd, flags). */
    long syscall(long number, @In Pointer attr, int pid, int cpu, int groupFd, long flags);

    String strerror(int errnum);

    /** 0 when the calling thread's network namespace has no such interface. */
    int if_nametoindex(String name);

    /** open(2), for namespace files (/proc/PID/ns/net) that setns(2) takes as an fd. */
    int open(String path, int flags);

    /** dup2(2). */
    int dup2(int oldFd, int newFd);

    /** flock(2): the advisory lock {@link DirectoryLock} takes. */
    int flock(int fd, int operation);

    /** signal(2): sets a disposition (0 default, 1 ignore) and returns the one before. */
    @intptr_t long signal(int signal, @intptr_t long handler);

    /** epoll_wait(2): waits without consuming anything (perf rings read directly). */
    int epoll_wait(int epfd, @Out Pointer events, int maxEvents, int timeoutMs);

    /**
     * syscall(2) with six word arguments: mmap and munmap of a BPF ring buffer's pages
     * ({@link PacketRingBuffer}). libc's mmap bound through jnr-ffi returned -1 here without
     * reaching the kernel (seen with jnr-ffi 2.2.17), the raw system call works.
     */
    long syscall(long number, long arg0, long arg1, long arg2, long arg3, long arg4, long arg5);


    /** setns(2): moves the calling thread (only) into the namespace behind fd. */
    int setns(int fd, int nstype);

    /** inotify(7), for watching the cgroup tree. */
    int inotify_init1(int flags);

    int inotify_add_watch(int fd, String path, int mask);

    /**
     * poll(2) on an array of struct pollfd (int fd, short events, short revents): waits for an fd
     * to be readable (an inotify fd with events, a ring buffer map's fd while records wait).
     */
    int poll(Pointer fds, long count, int timeoutMs);

    /** if_indextoname(3): the interface's name into buf (IF_NAMESIZE bytes), or NULL. */
    Pointer if_indextoname(int index, @Out Pointer buf);
}
