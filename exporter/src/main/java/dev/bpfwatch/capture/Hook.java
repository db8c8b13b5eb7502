package dev.bpfwatch.capture;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.ProgramInfo;
import dev.bpfwatch.libbpf.RawProgram;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An xdpcap hook: a pinned BPF_MAP_TYPE_PROG_ARRAY, 4-byte keys and values,
 * one slot per XDP action, into which an instrumented XDP program tail-calls
 * with its verdict (programs/include/xdpcap_hook.h). A capture's programs
 * are named {@code xdpcap_<pid>}, so a slot tells who holds it: a live
 * capture's slot is refused, a dead one's (killed with SIGKILL, its
 * program left behind in the pinned array) is taken over.
 */
public final class Hook implements AutoCloseable {
    static final String NAME_PREFIX = "xdpcap_";
    private static final Pattern OWNER = Pattern.compile(NAME_PREFIX + "(\\d+)");

    private final Path pin;
    private final BpfMap map;

    private Hook(Path pin, BpfMap map) {
        this.pin = pin;
        this.map = map;
    }

    /**
     * Opens and checks the pin.
     *
     * @throws HookException when there is no pin, or it is not a hook
     */
    public static Hook open(Path pin) {
        if (!Files.exists(pin)) {
            throw new HookException("hook " + pin + ": no such pin");
        }
        BpfMap map;
        try {
            map = BpfMap.openPinned(pin.toString());
        } catch (LibbpfException e) {
            throw new HookException("hook " + pin + ": not a pinned map (" + e.errnoName() + ")");
        }
        String problem = problem(map);
        if (problem != null) {
            map.close();
            throw new HookException("hook " + pin + ": " + problem);
        }
        return new Hook(pin, map);
    }

    /** Why a map cannot be a hook, or null when it can. */
    static String problem(BpfMap map) {
        if (map.type() != BpfMapType.PROG_ARRAY) {
            return "map type " + map.type() + ", not PROG_ARRAY";
        }
        if (map.keySize() != 4 || map.valueSize() != 4) {
            return "key and value must be 4 bytes, are " + map.keySize() + " and " + map.valueSize();
        }
        if (map.maxEntries() < XdpAction.values().length) {
            return "has " + map.maxEntries() + " slots, needs one per XDP action (" + XdpAction.values().length + ")";
        }
        return null;
    }

    public Path pin() {
        return pin;
    }

    /** The hook map's kernel id: the same for every process that opens the pin. */
    int mapId() {
        return map.id();
    }

    /** A one-line description for --check. */
    public String describe() {
        return "hook " + pin + ": PROG_ARRAY id " + map.id() + ", " + map.maxEntries() + " slots";
    }

    /** The id of the program in the action's slot, if any. */
    public Optional<Integer> occupant(XdpAction action) {
        return map.lookup(key(action)).map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt());
    }

    /** Program name for a capture run by {@code pid}: its mark in the hook. */
    static String programName(long pid) {
        return NAME_PREFIX + pid;
    }

    /**
     * Fails unless the action's slot is empty or held by a capture whose
     * process is gone.
     *
     * @throws HookException naming who holds the slot
     */
    public void requireFree(XdpAction action) {
        Optional<Integer> id = occupant(action);
        if (id.isEmpty()) {
            return;
        }
        Optional<ProgramInfo> info = ProgramInfo.ofId(id.get());
        if (info.isEmpty()) {
            return; // unloaded since the lookup
        }
        Matcher m = OWNER.matcher(info.get().name());
        if (!m.matches()) {
            throw new HookException("hook " + pin + ": slot " + action.label() + " holds program "
                    + info.get().name() + " (id " + id.get() + "), which is not a capture");
        }
        long pid = Long.parseLong(m.group(1));
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            throw new HookException("hook " + pin + ": slot " + action.label()
                    + " is taken by the running capture of pid " + pid);
        }
        // Its owner was killed without cleaning up: the slot is ours to take.
    }

    void insert(XdpAction action, RawProgram program) {
        map.setProgram(action.slot(), program, BpfMap.BPF_ANY);
    }

    /** Empties the slot if it still holds {@code program}; someone else's program stays. */
    boolean remove(XdpAction action, RawProgram program) {
        Optional<Integer> id = occupant(action);
        if (id.isPresent() && id.get() == program.id()) {
            return map.delete(key(action));
        }
        return false;
    }

    private static byte[] key(XdpAction action) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(action.slot()).array();
    }

    @Override
    public void close() {
        map.close();
    }
}
