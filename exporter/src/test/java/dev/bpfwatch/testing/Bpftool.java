package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The kernel's own account of BPF objects, through bpftool: the witness tests check the binding against. */
public final class Bpftool {
    private static final Pattern PROG_LINE = Pattern.compile("^(\\d+): (\\S+)\\s+name (\\S+)", Pattern.MULTILINE);
    private static final Pattern MAP_LINE = Pattern.compile("^\\d+: \\S+\\s+name (\\S+)", Pattern.MULTILINE);

    private Bpftool() {
    }

    public static String run(String... args) {
        List<String> cmd = Command.list("bpftool");
        cmd.addAll(List.of(args));
        return Command.ok(cmd.toArray(String[]::new)).out();
    }

    /** Ids of every loaded program of that name, as `bpftool prog list` shows them. */
    public static java.util.Set<Integer> programIds(String name) {
        String shortName = name.length() > 15 ? name.substring(0, 15) : name;
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        Matcher m = PROG_LINE.matcher(run("prog", "list"));
        while (m.find()) {
            if (m.group(3).equals(name) || m.group(3).equals(shortName)) {
                ids.add(Integer.parseInt(m.group(1)));
            }
        }
        return ids;
    }

    /**
     * Programs of that name loaded now that were not in {@code before}, once
     * the kernel has had time to free what was released (it frees a program
     * after an RCU grace period, not when its last fd closes).
     */
    public static java.util.Set<Integer> newProgramsSince(java.util.Set<Integer> before, String name) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            java.util.Set<Integer> now = programIds(name);
            now.removeAll(before);
            if (now.isEmpty() || System.nanoTime() > deadline) {
                return now;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return now;
            }
        }
    }

    /**
     * Ids of loaded programs of that name the process holds (its program and
     * link fds name them in /proc/PID/fdinfo as prog_id). Other tests on the
     * machine may load programs of the same name; this tells ours apart.
     */
    public static List<Integer> programIdsHeldBy(String name, long pid) {
        return idsHeldBy("prog", name, pid);
    }

    /** Ids of every program the process holds, whatever its name. */
    public static List<Integer> programIdsHeldBy(long pid) {
        return idsHeldBy("prog", null, pid);
    }

    /** Ids of every map the process holds an fd of. */
    public static List<Integer> mapIdsHeldBy(long pid) {
        return idsHeldBy("map", null, pid);
    }

    /** The name bpftool shows for a loaded program (the BTF name where it has one). */
    public static String programName(int id) {
        Matcher m = PROG_LINE.matcher(run("prog", "show", "id", Integer.toString(id)));
        return m.find() ? m.group(3) : "";
    }

    /** Ids of maps of that name the process holds an fd of (map_id in /proc/PID/fdinfo). */
    public static List<Integer> mapIdsHeldBy(String name, long pid) {
        return idsHeldBy("map", name, pid);
    }

    /** {@code name} null: every id the process holds of that kind. */
    private static List<Integer> idsHeldBy(String kind, String name, long pid) {
        String shortName = name == null ? null : name.length() > 15 ? name.substring(0, 15) : name;
        Pattern idLine = Pattern.compile("(?m)^" + kind + "_id:\\s+(\\d+)");
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        java.nio.file.Path fdinfo = java.nio.file.Path.of("/proc", Long.toString(pid), "fdinfo");
        try (var files = java.nio.file.Files.list(fdinfo)) {
            for (java.nio.file.Path f : files.toList()) {
                try {
                    Matcher m = idLine.matcher(java.nio.file.Files.readString(f));
                    if (m.find()) {
                        ids.add(Integer.parseInt(m.group(1)));
                    }
                } catch (IOException gone) {
                    // fd closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Pattern nameOf = kind.equals("prog") ? PROG_LINE : MAP_LINE;
        int nameGroup = kind.equals("prog") ? 3 : 1;
        List<Integer> named = new ArrayList<>();
        for (int id : ids) {
            Matcher m = nameOf.matcher(run(kind, "show", "id", Integer.toString(id)));
            // The kernel keeps 15 characters of a name; bpftool prints the whole
            // name where the object's BTF has it. Either is this object.
            if (m.find() && (name == null || m.group(nameGroup).equals(name) || m.group(nameGroup).equals(shortName))) {
                named.add(id);
            }
        }
        return named;
    }

    /** Ids of the maps a loaded program uses. */
    public static List<Integer> mapIdsOf(int programId) {
        Matcher m = Pattern.compile("map_ids ([\\d,]+)").matcher(run("prog", "show", "id", Integer.toString(programId)));
        List<Integer> ids = new ArrayList<>();
        if (m.find()) {
            for (String id : m.group(1).split(",")) {
                ids.add(Integer.parseInt(id));
            }
        }
        return ids;
    }

    /** Id of the program pinned at {@code path}. */
    public static int pinnedProgramId(String path) {
        Matcher m = Pattern.compile("^(\\d+): ").matcher(run("prog", "show", "pinned", path));
        if (!m.find()) {
            throw new IllegalStateException("no program pinned at " + path);
        }
        return Integer.parseInt(m.group(1));
    }

    /** Id of the map pinned at {@code path}. */
    public static int pinnedMapId(String path) {
        Matcher m = Pattern.compile("^(\\d+): ").matcher(run("map", "show", "pinned", path));
        if (!m.find()) {
            throw new IllegalStateException("no map pinned at " + path);
        }
        return Integer.parseInt(m.group(1));
    }

    public static boolean mapLoaded(int id) {
        return run("map", "list").lines().anyMatch(l -> l.startsWith(id + ": "));
    }

    /** Whether a program with this id is still loaded. */
    public static boolean programLoaded(int id) {
        return run("prog", "list").lines().anyMatch(l -> l.startsWith(id + ": "));
    }

    /**
     * Programs of that name that this JVM holds (through a program or link
     * fd). Other developers load the same programs on this machine while
     * tests run, so "none in the kernel" can be false for reasons of theirs;
     * "none of ours" is what a test of this process can promise.
     */
    public static int countOwnPrograms(String name) {
        return programIdsHeldBy(name, ProcessHandle.current().pid()).size();
    }

    /** Maps of that name this JVM holds an fd of: what "no map left behind" means for one process. */
    public static int countOwnMaps(String name) {
        return mapIdsHeldBy(name, ProcessHandle.current().pid()).size();
    }
}
