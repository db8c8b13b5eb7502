package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
        List<String> cmd = new ArrayList<>();
        cmd.add("bpftool");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
        String shortName = name.length() > 15 ? name.substring(0, 15) : name;
        java.util.Set<String> own = ownProgramIds();
        Matcher m = PROG_LINE.matcher(run("prog", "list"));
        int n = 0;
        while (m.find()) {
            if (m.group(3).equals(shortName) && own.contains(m.group(1))) {
                n++;
            }
        }
        return n;
    }

    /** prog_id of every bpf-prog and bpf_link fd open in this process. */
    private static java.util.Set<String> ownProgramIds() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(fds)) {
            for (java.nio.file.Path fd : list.toList()) {
                String target;
                try {
                    target = java.nio.file.Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (!target.equals("anon_inode:bpf-prog") && !target.equals("anon_inode:bpf_link")) {
                    continue;
                }
                try {
                    Matcher id = Pattern.compile("^prog_id:\\s*(\\d+)", Pattern.MULTILINE).matcher(
                            java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/fdinfo",
                                    fd.getFileName().toString())));
                    if (id.find()) {
                        ids.add(id.group(1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids;
    }
}
