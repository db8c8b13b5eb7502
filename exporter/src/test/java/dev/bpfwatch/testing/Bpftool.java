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

    private Bpftool() {
    }

    public static String run(String... args) {
        List<String> cmd = Command.list("bpftool");
        cmd.addAll(List.of(args));
        return Command.ok(cmd.toArray(String[]::new)).out();
    }

    /** Names of every program loaded in the kernel (as `bpftool prog list` shows them, 15 chars max). */
    public static List<String> programNames() {
        List<String> names = new ArrayList<>();
        Matcher m = PROG_LINE.matcher(run("prog", "list"));
        while (m.find()) {
            names.add(m.group(3));
        }
        return names;
    }

    /**
     * Ids of loaded programs of that name the process holds (its program and
     * link fds name them in /proc/PID/fdinfo as prog_id). Other tests on the
     * machine may load programs of the same name; this tells ours apart.
     */
    public static List<Integer> programIdsHeldBy(String name, long pid) {
        String shortName = name.length() > 15 ? name.substring(0, 15) : name;
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        java.nio.file.Path fdinfo = java.nio.file.Path.of("/proc", Long.toString(pid), "fdinfo");
        try (var files = java.nio.file.Files.list(fdinfo)) {
            for (java.nio.file.Path f : files.toList()) {
                try {
                    Matcher m = Pattern.compile("(?m)^prog_id:\\s+(\\d+)").matcher(java.nio.file.Files.readString(f));
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
        List<Integer> named = new ArrayList<>();
        for (int id : ids) {
            Matcher m = PROG_LINE.matcher(run("prog", "show", "id", Integer.toString(id)));
            if (m.find() && m.group(3).equals(shortName)) {
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

    public static int countPrograms(String name) {
        String shortName = name.length() > 15 ? name.substring(0, 15) : name;
        return (int) programNames().stream().filter(shortName::equals).count();
    }

    /**
     * Waits until no program of that name is loaded. The kernel frees a
     * program after an RCU grace period, not at the moment its last fd closes.
     */
    public static int awaitProgramsGone(String name) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n;
        while ((n = countPrograms(name)) > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return n;
    }

    public static int countMaps(String name) {
        String shortName = name.length() > 15 ? name.substring(0, 15) : name;
        return (int) run("map", "list").lines().filter(l -> l.matches("^\\d+: .*name " + Pattern.quote(shortName) + " .*"))
                .count();
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
}
