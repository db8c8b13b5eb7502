package dev.bpfwatch.ratelimit;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.PinnedProgram;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A filter opened through its pins: its program, to attach, and its maps,
 * to tune and to read. Changes to settings act at once: the program reads
 * them on every packet.
 */
public final class PinnedFilter implements AutoCloseable {
    private static final byte[] ZERO_KEY = new byte[4];
    /** Config slot 1 (UDPRL_OVERRIDE_COUNT in the program), native-order u32 key. */
    private static final byte[] OVERRIDE_COUNT_KEY = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();

    private final String name;
    private final PinnedProgram program;
    private final BpfMap config;
    private final BpfMap overrides;
    private final BpfMap buckets;
    private final BpfMap totals;
    private final BpfMap sockets;

    private PinnedFilter(String name, PinnedProgram program, List<BpfMap> maps) {
        this.name = name;
        this.program = program;
        this.config = maps.get(0);
        this.overrides = maps.get(1);
        this.buckets = maps.get(2);
        this.totals = maps.get(3);
        this.sockets = maps.get(4);
    }

    /** @throws FilterNotFoundException when no filter of that name is pinned */
    public static PinnedFilter open(String name) {
        if (!FilterPins.exists(name)) {
            throw new FilterNotFoundException(name);
        }
        Path dir = FilterPins.dir(name);
        List<BpfMap> maps = new ArrayList<>();
        PinnedProgram program = null;
        try {
            for (String m : FilterPins.MAPS) {
                maps.add(BpfMap.openPinned(dir.resolve(m).toString()));
            }
            program = PinnedProgram.open(dir.resolve(FilterPins.PROGRAM));
            return new PinnedFilter(name, program, maps);
        } catch (RuntimeException e) {
            maps.forEach(BpfMap::close);
            throw e;
        }
    }

    /** Each pinned map, for self-metrics, labelled NAME/MAP (filters share map names). */
    public List<dev.bpfwatch.agent.ModuleMap> mapFill() {
        List<dev.bpfwatch.agent.ModuleMap> out = new ArrayList<>();
        List<BpfMap> all = List.of(config, overrides, buckets, totals, sockets);
        for (int i = 0; i < all.size(); i++) {
            BpfMap m = all.get(i);
            boolean canFill = m.type().iterable() && !m.type().array();
            out.add(new dev.bpfwatch.agent.ModuleMap(name + "/" + FilterPins.MAPS.get(i), m.maxEntries(),
                    canFill ? java.util.OptionalLong.of(m.entries().size()) : java.util.OptionalLong.empty()));
        }
        return out;
    }

    public String name() {
        return name;
    }

    public PinnedProgram program() {
        return program;
    }

    /** Which bundled program the filter runs; empty if its pin holds some other program. */
    public Optional<FilterProgram> runs() {
        return FilterProgram.ofProgramName(program.info().name());
    }

    public void setDefault(RateLimit limit) {
        config.update(ZERO_KEY, limit.encode(), BpfMap.BPF_ANY);
    }

    public RateLimit defaultLimit() {
        return RateLimit.decode(config.lookup(ZERO_KEY).orElseThrow());
    }

    public void setOverride(Prefix prefix, RateLimit limit) {
        overrides.update(prefix.encode(), limit.encode(), BpfMap.BPF_ANY);
        publishOverrideCount();
    }

    /** @return false when there was no override for exactly that prefix */
    public boolean removeOverride(Prefix prefix) {
        boolean removed = overrides.delete(prefix.encode());
        publishOverrideCount();
        return removed;
    }

    /**
     * The program looks overrides up only while config slot 1 says there are
     * some (it skips the trie on every packet otherwise). Counted from the
     * trie itself after each change, so two processes editing overrides at
     * once still leave the right number once both are done.
     */
    private void publishOverrideCount() {
        byte[] slot = ByteBuffer.allocate(RateLimit.SIZE).order(ByteOrder.nativeOrder())
                .putLong(overrides.entries().size()).putLong(0).array();
        config.update(OVERRIDE_COUNT_KEY, slot, BpfMap.BPF_ANY);
    }

    void record(Attachment a) {
        sockets.update(a.key(), a.value(), BpfMap.BPF_ANY);
    }

    void forget(Attachment a) {
        sockets.delete(a.key());
    }

    public List<Attachment> attachments() {
        return sockets.entries().stream().map(e -> Attachment.decode(e.key(), e.value())).toList();
    }

    /** Everything the filter knows now; read map by map, so not one atomic view. */
    public FilterSnapshot snapshot() {
        byte[] cfg = config.lookup(ZERO_KEY).orElseThrow();
        List<BpfMap.Entry> o = overrides.entries();
        byte[] t = totals.lookup(ZERO_KEY).orElseThrow();
        List<BpfMap.Entry> a = sockets.entries();
        List<BpfMap.Entry> b = buckets.entries();
        // System.nanoTime() is CLOCK_MONOTONIC on Linux, the clock of
        // bpf_ktime_get_ns(), so it compares directly with tat_ns.
        long now = System.nanoTime();
        return FilterSnapshot.decode(name, cfg, o, b, t, totals.valueStride(), a, now)
                .withProgramId(program.info().id());
    }

    @Override
    public void close() {
        program.close();
        for (BpfMap m : List.of(config, overrides, buckets, totals, sockets)) {
            m.close();
        }
    }
}
