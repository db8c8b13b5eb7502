package dev.bpfwatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.config.WebConfigParser;
import dev.bpfwatch.testing.Curl;
import dev.bpfwatch.testing.TestCerts;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key formats, TLS versions and client-certificate policies, served by the WebServer alone and checked with curl. */
class TlsServerTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static CollectorRegistry registry;

    @BeforeAll
    static void setUp() {
        certs = TestCerts.create(dir);
        registry = new CollectorRegistry(true);
        Counter.build("tls_test_scrapes", "a sample to find").register(registry).inc();
    }

    private static WebServer serve(String webConfig) throws Exception {
        Path file = TestCerts.write(dir.resolve("web-" + System.nanoTime() + ".yml"), webConfig);
        return WebServer.start(new InetSocketAddress("127.0.0.1", 0), "/metrics", registry, () -> "landing",
                () -> null, WebSecurity.load(file));
    }

    private static Curl scrape(WebServer s, String... options) {
        String[] all = new String[options.length + 2];
        all[0] = "--cacert";
        all[1] = certs.ca.toString();
        System.arraycopy(options, 0, all, 2, options.length);
        return Curl.get("https://127.0.0.1:" + s.port() + "/metrics", all);
    }

    private static void assertServes(WebServer s, String... options) {
        Curl c = scrape(s, options);
        assertEquals(200, c.status(), Curl.describe(c));
        assertTrue(c.body().contains("tls_test_scrapes_total 1.0"), c.body());
    }

    @Test
    void pkcs1RsaKey() throws Exception {
        try (WebServer s = serve("tls_server_config: {cert_file: server.pem, key_file: server-pkcs1.key}\n")) {
            assertServes(s);
        }
    }

    @Test
    void sec1EcKey() throws Exception {
        try (WebServer s = serve("tls_server_config: {cert_file: server-ec.pem, key_file: server-ec.key}\n")) {
            assertServes(s);
        }
    }

    @Test
    void minVersionTls13RefusesTls12() throws Exception {
        try (WebServer s = serve("""
                tls_server_config: {cert_file: server.pem, key_file: server.key, min_version: TLS13}
                """)) {
            assertServes(s, "--tlsv1.3");
            Curl old = scrape(s, "--tlsv1.2", "--tls-max", "1.2");
            assertNotEquals(0, old.exit(), Curl.describe(old));
        }
    }

    @Test
    void requiredClientCertificate() throws Exception {
        try (WebServer s = serve("""
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                  client_ca_file: ca.pem
                  client_auth_type: RequireAndVerifyClientCert
                """)) {
            Curl none = scrape(s);
            assertNotEquals(0, none.exit(), "no client certificate must fail the handshake: " + Curl.describe(none));
            assertNotEquals(200, none.status());
            assertServes(s, "--cert", certs.clientCert.toString(), "--key", certs.clientKey.toString());
        }
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused() throws Exception {
        Path otherDir = dir.resolve("other");
        java.nio.file.Files.createDirectories(otherDir);
        TestCerts other = TestCerts.create(otherDir);
        try (WebServer s = serve("""
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                  client_ca_file: ca.pem
                  client_auth_type: RequireAndVerifyClientCert
                """)) {
            Curl c = scrape(s, "--cert", other.clientCert.toString(), "--key", other.clientKey.toString());
            assertNotEquals(0, c.exit(), Curl.describe(c));
            assertNotEquals(200, c.status());
        }
    }

    @Test
    void verifyIfGivenLetsClientsWithoutACertificateIn() throws Exception {
        try (WebServer s = serve("""
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                  client_ca_file: ca.pem
                  client_auth_type: VerifyClientCertIfGiven
                """)) {
            assertServes(s);
            assertServes(s, "--cert", certs.clientCert.toString(), "--key", certs.clientKey.toString());
        }
    }

    @Test
    void parsedAsWrittenForTheAgent() {
        // The same files the agent would read: parsing alone touches no TLS file.
        Path file = TestCerts.write(dir.resolve("parse-only.yml"),
                "tls_server_config: {cert_file: missing.pem, key_file: missing.key}\n");
        assertEquals(dir.resolve("missing.pem"), WebConfigParser.parse(file).tls().orElseThrow().cert().path());
    }
}
