package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ownership from a hand-made /proc: fd links, comm and cgroup files. */
class SocketOwnersTest {
    @TempDir
    Path proc;

    private void process(int pid, String comm, String cgroup, long... socketInodes) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)).resolve("fd")).getParent();
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("cgroup"), "0::" + cgroup + "\n");
        int fd = 3;
        for (long inode : socketInodes) {
            Files.createSymbolicLink(dir.resolve("fd").resolve(Integer.toString(fd++)), Path.of("socket:[" + inode + "]"));
        }
        Files.createSymbolicLink(dir.resolve("fd").resolve("0"), Path.of("pipe:[12]")); // not a socket
    }

    @Test
    void ownerIsTheLowestPidHoldingTheSocket() throws IOException {
        process(700, "worker", "/system.slice/web.service", 111);
        process(650, "master", "/system.slice/web.service", 111, 222);
        process(900, "other", "/user.slice/session-1.scope", 333);
        Map<Long, SocketOwner> owners = new SocketOwners(proc).resolve(List.of(111L, 222L, 333L, 444L));
        assertEquals(new SocketOwner("master", 650, "web.service", ""), owners.get(111L));
        assertEquals(650, owners.get(222L).pid());
        assertEquals(new SocketOwner("other", 900, "", ""), owners.get(333L));
        assertEquals(SocketOwner.NONE, owners.get(444L), "no process holds it");
    }

    @Test
    void systemdHoldingAnActivatedSocketIsNotItsOwner() throws IOException {
        process(1, "systemd", "/init.scope", 555);
        process(4321, "sshd", "/system.slice/ssh.service", 555);
        process(2, "kthreadd", "/", 666);
        SocketOwners owners = new SocketOwners(proc);
        assertEquals("sshd", owners.resolve(List.of(555L)).get(555L).comm());
        assertEquals(1, SocketOwners.mainOf(1, 1));
    }

    @Test
    void knownSocketsAreNotLookedUpAgain() throws IOException {
        process(10, "a", "/", 1);
        process(20, "b", "/", 2);
        SocketOwners owners = new SocketOwners(proc);
        owners.resolve(List.of(1L, 2L));
        owners.resolve(List.of(1L, 2L));
        assertEquals(1, owners.walks(), "second scrape from the cache");

        process(30, "c", "/", 3);
        assertEquals("c", owners.resolve(List.of(1L, 2L, 3L)).get(3L).comm());
        assertEquals(2, owners.walks(), "a new listener walks /proc once");

        owners.resolve(List.of(1L, 2L, 3L, 99L));
        owners.resolve(List.of(1L, 2L, 3L, 99L));
        assertEquals(3, owners.walks(), "an ownerless socket is not walked for at every scrape");
    }

    @Test
    void ownerThatExitedIsLookedUpAgain() throws IOException {
        process(10, "old", "/", 7);
        SocketOwners owners = new SocketOwners(proc);
        assertEquals("old", owners.resolve(List.of(7L)).get(7L).comm());
        deleteTree(proc.resolve("10"));
        process(11, "heir", "/", 7); // the fd was passed on before the first holder exited
        assertEquals("heir", owners.resolve(List.of(7L)).get(7L).comm());
    }

    @Test
    void socketLinkTargetsAreParsed() throws IOException {
        Path link = Files.createSymbolicLink(proc.resolve("l"), Path.of("socket:[4026531993]"));
        assertEquals(4026531993L, SocketOwners.socketInode(link));
        Path other = Files.createSymbolicLink(proc.resolve("m"), Path.of("pipe:[12]"));
        assertEquals(-1, SocketOwners.socketInode(other));
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
