package dev.bpfwatch.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Checks a user's password against its bcrypt hash. bcrypt is slow on
 * purpose (tens of milliseconds at cost 10), and Prometheus sends the same
 * credentials on every scrape, so successes are remembered for a short while
 * under a SHA-256 of user, password and hash (as exporter-toolkit does) —
 * never the password itself. Failures are not remembered: each wrong guess
 * costs a full bcrypt. One bcrypt runs at a time, so a burst of scrapers
 * with the same new credentials pays for one and the rest find it cached.
 */
final class PasswordVerifier {
    /** The bcrypt check itself; a seam so tests can count calls. */
    interface Bcrypt {
        boolean check(String hash, char[] password);
    }

    static final Bcrypt OPENBSD = (hash, password) -> OpenBSDBCrypt.checkPassword(hash, password);
    static final long DEFAULT_TTL_NANOS = 60_000_000_000L;
    static final int DEFAULT_MAX_ENTRIES = 100;
    /**
     * Checked for unknown users so that they take as long as known ones and
     * timing does not tell which user names exist. Its password is unknown.
     */
    private static final String DUMMY_HASH = "$2y$10$Y3vKsAIZj5af12Ug0gkyaO/ExwUetsjTJnWcxyRXnEkHA3XOxcmjq";

    private final Map<String, String> users;
    private final Bcrypt bcrypt;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final Map<String, Long> verifiedUntil;
    private final Object bcryptLock = new Object();

    PasswordVerifier(Map<String, String> users) {
        this(users, OPENBSD, DEFAULT_TTL_NANOS, DEFAULT_MAX_ENTRIES, System::nanoTime);
    }

    PasswordVerifier(Map<String, String> users, Bcrypt bcrypt, long ttlNanos, int maxEntries, LongSupplier clock) {
        this.users = Map.copyOf(users);
        this.bcrypt = bcrypt;
        this.ttlNanos = ttlNanos;
        this.clock = clock;
        this.verifiedUntil = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > maxEntries;
            }
        };
    }

    boolean verify(String user, String password) {
        String hash = users.get(user);
        if (hash == null) {
            bcryptSafely(DUMMY_HASH, password);
            return false;
        }
        String key = cacheKey(user, password, hash);
        if (cached(key)) {
            return true;
        }
        synchronized (bcryptLock) {
            if (cached(key)) { // someone with the same credentials verified them while we waited
                return true;
            }
            if (!bcryptSafely(hash, password)) {
                return false;
            }
            synchronized (verifiedUntil) {
                verifiedUntil.put(key, clock.getAsLong() + ttlNanos);
            }
            return true;
        }
    }

    int cachedEntries() {
        synchronized (verifiedUntil) {
            return verifiedUntil.size();
        }
    }

    private boolean cached(String key) {
        synchronized (verifiedUntil) {
            Long until = verifiedUntil.get(key);
            if (until == null) {
                return false;
            }
            if (clock.getAsLong() - until >= 0) {
                verifiedUntil.remove(key);
                return false;
            }
            return true;
        }
    }

    private boolean bcryptSafely(String hash, String password) {
        synchronized (bcryptLock) {
            try {
                return bcrypt.check(hash, password.toCharArray());
            } catch (RuntimeException e) {
                return false; // BouncyCastle refuses passwords over 72 bytes: not a match either way
            }
        }
    }

    /** Length-prefixed parts, so ("ab", "c") and ("a", "bc") differ. */
    private static String cacheKey(String user, String password, String hash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {user, password, hash}) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
                sha.update(b);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
