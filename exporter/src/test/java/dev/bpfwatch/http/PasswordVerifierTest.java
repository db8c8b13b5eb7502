package dev.bpfwatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;

class PasswordVerifierTest {
    private static final String HASH = hash("2y", "right");
    private final AtomicInteger bcrypts = new AtomicInteger();
    private final AtomicLong now = new AtomicLong();

    private static String hash(String version, String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate(version, password.toCharArray(), salt, 4);
    }

    private PasswordVerifier verifier(Map<String, String> users, int maxEntries) {
        return new PasswordVerifier(users, (h, p) -> {
            bcrypts.incrementAndGet();
            return PasswordVerifier.OPENBSD.check(h, p);
        }, 1_000, maxEntries, now::get);
    }

    @Test
    void rightAndWrongPasswords() {
        PasswordVerifier v = verifier(Map.of("alice", HASH), 10);
        assertTrue(v.verify("alice", "right"));
        assertFalse(v.verify("alice", "wrong"));
        assertFalse(v.verify("bob", "right"));
        assertFalse(v.verify("alice", ""));
    }

    @Test
    void everyBcryptVersionVerifies() {
        for (String version : List.of("2a", "2b", "2y")) {
            PasswordVerifier v = verifier(Map.of("alice", hash(version, "pw")), 10);
            assertTrue(v.verify("alice", "pw"), version);
        }
    }

    @Test
    void aBurstOfScrapersPaysForOneBcrypt() {
        PasswordVerifier v = verifier(Map.of("alice", HASH), 10);
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(CompletableFuture.supplyAsync(() -> v.verify("alice", "right")));
        }
        all.forEach(f -> assertTrue(f.join()));
        assertEquals(1, bcrypts.get());
    }

    @Test
    void failuresAreNotCached() {
        PasswordVerifier v = verifier(Map.of("alice", HASH), 10);
        v.verify("alice", "wrong");
        v.verify("alice", "wrong");
        assertEquals(2, bcrypts.get(), "every wrong guess costs a bcrypt");
        assertEquals(0, v.cachedEntries());
    }

    @Test
    void unknownUsersCostABcryptToo() {
        PasswordVerifier v = verifier(Map.of("alice", HASH), 10);
        assertFalse(v.verify("mallory", "x"));
        assertEquals(1, bcrypts.get(), "timing must not tell which users exist");
    }

    @Test
    void successesExpire() {
        PasswordVerifier v = verifier(Map.of("alice", HASH), 10);
        v.verify("alice", "right");
        now.addAndGet(999);
        v.verify("alice", "right");
        assertEquals(1, bcrypts.get());
        now.addAndGet(1);
        v.verify("alice", "right");
        assertEquals(2, bcrypts.get());
    }

    @Test
    void theCacheIsBounded() {
        Map<String, String> users = Map.of("a", hash("2y", "1"), "b", hash("2y", "2"), "c", hash("2y", "3"));
        PasswordVerifier v = verifier(users, 2);
        assertTrue(v.verify("a", "1"));
        assertTrue(v.verify("b", "2"));
        assertTrue(v.verify("c", "3"));
        assertEquals(2, v.cachedEntries());
    }

    @Test
    void passwordsLongerThanBcryptTakesAreRefusedNotThrown() {
        PasswordVerifier v = verifier(Map.of("alice", HASH), 10);
        assertFalse(v.verify("alice", "x".repeat(200)));
    }
}
