package dev.bpfwatch.libbpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libbpf 1.x functions bpfwatch calls, declared as in libbpf's headers.
 * Public only because jnr-ffi generates its implementation in another class
 * loader; nothing outside this package reaches it ({@link Native} is
 * package-private), so raw pointers and fds never leave the package.
 */
public interface LibbpfNative {

    // --- objects ---
    Pointer bpf_object__open_file(String path, Pointer opts);

    Pointer bpf_object__open_mem(@In Pointer buf, @size_t long size, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__next_program(Pointer obj, Pointer prev);

    Pointer bpf_object__next_map(Pointer obj, Pointer prev);

    // --- programs ---
    String bpf_program__name(Pointer prog);

    String bpf_program__section_name(Pointer prog);

    int bpf_program__set_autoload(Pointer prog, boolean autoload);

    boolean bpf_program__autoload(Pointer prog);

    int bpf_program__fd(Pointer prog);

    int bpf_program__type(Pointer prog);

    /** Before load only: for sections libbpf does not know (see {@link ExporterSection}). */
    int bpf_program__set_type(Pointer prog, int type);

    int bpf_program__set_expected_attach_type(Pointer prog, int type);

    Pointer bpf_program__attach(Pointer prog);

    Pointer bpf_program__attach_iter(Pointer prog, Pointer opts);

    /** The link owns the perf event fd from then on: destroying it closes the fd. */
    Pointer bpf_program__attach_perf_event(Pointer prog, int perfEventFd);

    Pointer bpf_program__attach_xdp(Pointer prog, int ifindex);

    // --- links ---
    int bpf_link__destroy(Pointer link);

    int bpf_link__fd(Pointer link);

    int bpf_link__pin(Pointer link, String path);

    int bpf_iter_create(int linkFd);

    // --- maps as the object describes them ---
    String bpf_map__name(Pointer map);

    int bpf_map__type(Pointer map);

    int bpf_map__fd(Pointer map);

    int bpf_map__key_size(Pointer map);

    int bpf_map__value_size(Pointer map);

    int bpf_map__max_entries(Pointer map);

    int bpf_map__set_max_entries(Pointer map, int maxEntries);

    int bpf_map__btf_key_type_id(Pointer map);

    int bpf_map__btf_value_type_id(Pointer map);

    int bpf_map__reuse_fd(Pointer map, int fd);

    /** The mmaped initial contents of a global-data map (.rodata, .data); writable before load. */
    Pointer bpf_map__initial_value(Pointer map, Pointer psize);

    // --- maps by fd (low-level syscall wrappers) ---
    int bpf_map_lookup_elem(int fd, @In Pointer key, @Out Pointer value);

    int bpf_map_update_elem(int fd, @In Pointer key, @In Pointer value, long flags);

    int bpf_map_delete_elem(int fd, @In Pointer key);

    int bpf_map_get_next_key(int fd, @In Pointer key, @Out Pointer nextKey);

    int bpf_map_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values,
                             Pointer count, Pointer opts);

    int bpf_obj_pin(int fd, String path);

    int bpf_obj_get(String path);

    int bpf_obj_get_info_by_fd(int fd, Pointer info, Pointer infoLen);

    int bpf_prog_get_fd_by_id(int id);

    int bpf_enable_stats(int type);

    int libbpf_num_possible_cpus();

    int libbpf_major_version();

    Pointer bpf_program__attach_uprobe_opts(Pointer prog, int pid, String binaryPath, long funcOffset, Pointer opts);

    /** 1 when this kernel can create maps of the type, 0 when not, negative errno when it cannot tell. */
    int libbpf_probe_bpf_map_type(int mapType, Pointer opts);

    // --- BTF ---
    Pointer btf__load_vmlinux_btf();

    void btf__free(Pointer btf);

    int btf__find_by_name_kind(Pointer btf, String name, int kind);

    Pointer btf__type_by_id(Pointer btf, int id);

    String btf__name_by_offset(Pointer btf, int offset);

    Pointer bpf_object__btf(Pointer obj);

    long btf__resolve_size(Pointer btf, int typeId);

    int btf__resolve_type(Pointer btf, int typeId);

    // --- perf event arrays ---
    /** {@code void (*)(void *ctx, int cpu, void *data, __u32 size)}: one sample, on the polling thread. */
    public interface PerfSampleCallback {
        @Delegate
        void sample(Pointer ctx, int cpu, Pointer data, int size);
    }

    /** {@code void (*)(void *ctx, int cpu, __u64 cnt)}: samples the kernel could not write, ring full. */
    public interface PerfLostCallback {
        @Delegate
        void lost(Pointer ctx, int cpu, long count);
    }

    Pointer perf_buffer__new(int mapFd, @size_t long pageCount, PerfSampleCallback sample, PerfLostCallback lost,
                             Pointer ctx, Pointer opts);

    int perf_buffer__poll(Pointer pb, int timeoutMs);

    void perf_buffer__free(Pointer pb);

    // --- ring buffers (BPF_MAP_TYPE_RINGBUF) ---
    /** {@code int (*)(void *ctx, void *data, size_t size)}: one record, on the polling thread; non-zero stops the poll. */
    public interface RingSampleCallback {
        @Delegate
        int sample(Pointer ctx, Pointer data, @size_t long size);
    }

    Pointer ring_buffer__new(int mapFd, RingSampleCallback sample, Pointer ctx, Pointer opts);

    int ring_buffer__add(Pointer rb, int mapFd, RingSampleCallback sample, Pointer ctx);

    int ring_buffer__poll(Pointer rb, int timeoutMs);

    void ring_buffer__free(Pointer rb);

    // --- raw programs and maps (bpf(2) wrappers; used by xdpcap) ---
    int bpf_prog_load(int type, String name, String license, @In Pointer insns, @size_t long insnCount, Pointer opts);

    int bpf_map_create(int type, String name, int keySize, int valueSize, int maxEntries, Pointer opts);

    int bpf_prog_test_run_opts(int progFd, Pointer opts);

    /** {@code enum bpf_perf_event_ret (*)(void *ctx, int cpu, struct perf_event_header *event)}. */
    public interface PerfRawCallback {
        @Delegate
        int event(Pointer ctx, int cpu, Pointer header);
    }

    Pointer perf_buffer__new_raw(int mapFd, @size_t long pageCount, @In Pointer attr, PerfRawCallback callback,
                                 Pointer ctx, Pointer opts);

    int perf_buffer__consume(Pointer pb);

    int perf_buffer__epoll_fd(Pointer pb);

    @size_t long perf_buffer__buffer_cnt(Pointer pb);

    /** The ring's mmap: struct perf_event_mmap_page, then the data pages; the size out is the data pages' only. */
    int perf_buffer__buffer(Pointer pb, int index, Pointer bufOut, Pointer sizeOut);

    // --- logging ---
    /** libbpf's print hook: {@code int (*)(enum libbpf_print_level, const char *, va_list)}. */
    public interface PrintCallback {
        @Delegate
        int print(int level, Pointer format, Pointer vaList);
    }

    Pointer libbpf_set_print(PrintCallback callback);
}
