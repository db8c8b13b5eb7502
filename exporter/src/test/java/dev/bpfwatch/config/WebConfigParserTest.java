package dev.bpfwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebConfigParserTest {
    @TempDir
    Path dir;

    private WebConfig parse(String yaml) throws Exception {
        return WebConfigParser.parse(Files.writeString(dir.resolve("web.yml"), yaml));
    }

    @Test
    void fullConfig() throws Exception {
        WebConfig c = parse("""
                tls_server_config:
                  cert_file: certs/server.pem
                  key_file: /etc/keys/server.key
                  client_ca_file: ca.pem
                  client_auth_type: VerifyClientCertIfGiven
                  min_version: TLS13
                http_server_config:
                  http2: true
                basic_auth_users:
                  alice: $2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay
                """);
        WebConfig.Tls tls = c.tls().orElseThrow();
        assertEquals(dir.resolve("certs/server.pem"), tls.cert().path(), "relative to the web config");
        assertEquals(Path.of("/etc/keys/server.key"), tls.key().path());
        assertEquals(3, tls.key().line());
        assertEquals(WebConfig.ClientAuth.VerifyClientCertIfGiven, tls.clientAuth());
        assertEquals(WebConfig.TlsVersion.TLS13, tls.minVersion());
        assertEquals(1, c.users().size());
    }

    @Test
    void defaultsAreExporterToolkits() throws Exception {
        WebConfig.Tls tls = parse("tls_server_config: {cert_file: a, key_file: b}\n").tls().orElseThrow();
        assertEquals(WebConfig.ClientAuth.NoClientCert, tls.clientAuth());
        assertEquals(WebConfig.TlsVersion.TLS12, tls.minVersion());
    }

    @Test
    void emptyFileIsPlainHttp() throws Exception {
        WebConfig c = parse("");
        assertTrue(c.tls().isEmpty());
        assertTrue(c.users().isEmpty());
    }

    @Test
    void caWithoutAPolicyIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n"));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("client_auth_type"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> WebConfigParser.parse(dir.resolve("nope.yml")));
        assertEquals(dir.resolve("nope.yml") + ": no such file", e.getMessage());
    }

    @Test
    void duplicateUserIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                basic_auth_users:
                  alice: $2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay
                  alice: $2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay
                """));
        assertEquals(3, e.line(), e.getMessage());
    }
}
