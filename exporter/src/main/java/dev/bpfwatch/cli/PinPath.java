package dev.bpfwatch.cli;

import dev.bpfwatch.libbpf.Bpffs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * --bpf.pin-path made safe to pin under and to delete under: the path with
 * ".." and symbolic links resolved, which must lie strictly inside
 * /sys/fs/bpf. A textual prefix check let
 * /sys/fs/bpf/x/../../../../tmp/d through, and `cleanup` deleted /tmp/d; a
 * symbolic link in bpffs can point anywhere too. /sys/fs/bpf itself is
 * refused: cleanup would remove every other program's pins.
 */
final class PinPath {
    private PinPath() {
    }

    /** The canonical directory, or UserInputException naming the flag and what it resolved to. */
    static Path inside(String given) {
        Path canonical = canonical(Path.of(given).toAbsolutePath());
        if (!canonical.startsWith(Bpffs.DEFAULT) || canonical.equals(Bpffs.DEFAULT)) {
            String resolved = canonical.toString().equals(given) ? "" : " (it resolves to " + canonical + ")";
            throw new UserInputException("--bpf.pin-path " + given + ": must be a directory inside "
                    + Bpffs.DEFAULT + resolved);
        }
        return canonical;
    }

    /**
     * Resolves symbolic links in the part that exists and ".." in the rest,
     * component by component from the root, as the kernel will when the
     * path is used ("link/.." is the link target's parent, not ".").
     */
    private static Path canonical(Path absolute) {
        Path at = absolute.getRoot();
        for (Path part : absolute) {
            String name = part.toString();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                at = at.getParent() != null ? at.getParent() : at;
                continue;
            }
            Path next = at.resolve(name);
            try {
                at = Files.exists(next, LinkOption.NOFOLLOW_LINKS) ? next.toRealPath() : next;
            } catch (IOException e) {
                throw new UserInputException("--bpf.pin-path " + absolute + ": cannot resolve " + next + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        return at;
    }
}
