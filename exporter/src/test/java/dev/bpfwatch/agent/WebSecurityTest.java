package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Curl;
import dev.bpfwatch.testing.TestCerts;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent behind --web.config.file, checked with real curl: HTTPS, basic auth, client certificates. */
class WebSecurityTest {
    static final String USER = "prometheus";
    static final String PASSWORD = "s3cret scrape";

    @TempDir
    static Path dir;
    static TestCerts certs;
    static Agent agent;

    static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 10);
    }

    static Agent start(Path webConfig) {
        return Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withWebConfig(webConfig),
                List.of());
    }

    @BeforeAll
    static void startAgent() {
        certs = TestCerts.create(dir);
        // Relative paths: relative to the web config's directory, as in exporter-toolkit.
        Path web = TestCerts.write(dir.resolve("web.yml"), """
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                basic_auth_users:
                  %s: %s
                """.formatted(USER, bcrypt(PASSWORD)));
        agent = start(web);
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        assertEquals(0, Bpftool.countOwnPrograms("count_drop"), "closing the agent unloads its programs");
    }

    private String url(String path) {
        return "https://127.0.0.1:" + agent.port() + path;
    }

    private Curl scrape(String... options) {
        List<String> o = new ArrayList<>(List.of("--cacert", certs.ca.toString()));
        o.addAll(List.of(options));
        return Curl.get(url("/metrics"), o.toArray(String[]::new));
    }

    @Test
    void rightPasswordOverHttpsGetsMetrics() {
        Curl c = scrape("-u", USER + ":" + PASSWORD);
        assertEquals(200, c.status(), Curl.describe(c));
        assertTrue(c.body().contains("bpfwatch_enabled_configs{name=\"kfree_skb_drops\""), c.body());
    }

    @Test
    void theAgentHoldsItsProgramWhileRunning() {
        // What stop() and the bad-config tests count as "ours" does see the agent's program.
        assertEquals(1, Bpftool.countOwnPrograms("count_drop"));
    }

    @Test
    void noCredentialsIs401WithTheChallenge() {
        Curl c = scrape("-D", "-");
        assertEquals(401, c.status(), Curl.describe(c));
        assertTrue(c.body().toLowerCase().contains("www-authenticate: basic realm=\"bpfwatch\""), c.body());
    }

    @Test
    void wrongPasswordIs401() {
        Curl c = scrape("-u", USER + ":wrong");
        assertEquals(401, c.status(), Curl.describe(c));
        Curl unknown = scrape("-u", "nobody:" + PASSWORD);
        assertEquals(401, unknown.status(), Curl.describe(unknown));
    }

    @Test
    void everyPathNeedsAuthentication() {
        for (String path : List.of("/", "/-/healthy", "/nonexistent")) {
            Curl c = Curl.get(url(path), "--cacert", certs.ca.toString());
            assertEquals(401, c.status(), path + ": " + Curl.describe(c));
        }
        Curl healthy = Curl.get(url("/-/healthy"), "--cacert", certs.ca.toString(), "-u", USER + ":" + PASSWORD);
        assertEquals(200, healthy.status(), Curl.describe(healthy));
        assertEquals("OK", healthy.body().strip());
    }

    @Test
    void serverCertificateIsCheckedByTheClient() {
        // Without the CA, curl must refuse our self-made chain: the certificate really is the one served.
        Curl c = Curl.get(url("/metrics"), "-u", USER + ":" + PASSWORD);
        assertNotEquals(0, c.exit(), Curl.describe(c));
    }

    @Test
    void plainHttpToTheTlsPortFailsFast() {
        Curl c = Curl.get("http://127.0.0.1:" + agent.port() + "/metrics", "-u", USER + ":" + PASSWORD);
        assertNotEquals(0, c.exit(), Curl.describe(c));
        assertNotEquals(28, c.exit(), "curl timed out: the server hung on plain HTTP; " + Curl.describe(c));
        assertTrue(c.millis() < 4000, Curl.describe(c));
    }

    @Test
    void concurrentScrapersAllGetIn() {
        List<CompletableFuture<Curl>> scrapes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            scrapes.add(CompletableFuture.supplyAsync(() -> scrape("-u", USER + ":" + PASSWORD)));
        }
        for (CompletableFuture<Curl> s : scrapes) {
            Curl c = s.join();
            assertEquals(200, c.status(), Curl.describe(c));
        }
    }
}
