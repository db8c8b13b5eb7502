package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.TestCerts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad --web.config.file stops `run` with one line naming file:line, exit
 * 2, before any program is loaded.
 */
class WebConfigCliTest {
    private static final String HASH = "$2y$10$Y3vKsAIZj5af12Ug0gkyaO/ExwUetsjTJnWcxyRXnEkHA3XOxcmjq";

    @TempDir
    static Path dir;

    @BeforeAll
    static void certs() {
        TestCerts.create(dir);
        TestCerts.write(dir.resolve("not-a-cert.pem"), "hello, I am not a certificate\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed YAML      | 'tls_server_config:\\n  cert_file: [server.pem\\n'                                 | 3 | malformed YAML
            unknown key         | 'tls_server_config:\\n  cert_file: server.pem\\n  key_fle: server.key\\n'         | 3 | unknown key 'key_fle' in tls_server_config, did you mean 'key_file'?
            unknown top key     | 'basic_auth_user:\\n  a: b\\n'                                                     | 1 | unknown key 'basic_auth_user' in web config, did you mean 'basic_auth_users'?
            missing cert file   | 'tls_server_config:\\n  cert_file: nowhere.pem\\n  key_file: server.key\\n'       | 2 | nowhere.pem: no such file
            not a cert          | 'tls_server_config:\\n  cert_file: not-a-cert.pem\\n  key_file: server.key\\n'    | 2 | not-a-cert.pem: no PEM certificate
            key not the cert's  | 'tls_server_config:\\n  cert_file: server.pem\\n  key_file: stray.key\\n'         | 3 | stray.key does not match the certificate in cert_file
            key is a cert       | 'tls_server_config:\\n  cert_file: server.pem\\n  key_file: ca.pem\\n'            | 3 | ca.pem: no PEM private key
            missing key_file    | 'tls_server_config:\\n  cert_file: server.pem\\n'                                 | 2 | tls_server_config needs key_file
            not bcrypt          | 'basic_auth_users:\\n  prometheus: plaintext\\n'                                  | 2 | the password of 'prometheus' is not a bcrypt hash
            wrong type          | 'basic_auth_users:\\n  - prometheus\\n'                                           | 2 | basic_auth_users must be a mapping
            bad client auth     | 'tls_server_config:\\n  cert_file: server.pem\\n  key_file: server.key\\n  client_auth_type: RequireAndVerifyClientCrt\\n' | 4 | client_auth_type 'RequireAndVerifyClientCrt' unknown, did you mean 'RequireAndVerifyClientCert'?
            verify without CA   | 'tls_server_config:\\n  cert_file: server.pem\\n  key_file: server.key\\n  client_auth_type: RequireAndVerifyClientCert\\n' | 4 | needs client_ca_file
            bad min_version     | 'tls_server_config:\\n  cert_file: server.pem\\n  key_file: server.key\\n  min_version: TLS11\\n' | 4 | min_version 'TLS11' unknown
            unsupported key     | 'tls_server_config:\\n  cert_file: server.pem\\n  key_file: server.key\\n  cipher_suites: [x]\\n' | 4 | 'cipher_suites' is not supported by bpfwatch
            """)
    void badWebConfigIsOneLineExitTwoAndLoadsNothing(String name, String yaml, int line, String expected) {
        Path file = TestCerts.write(dir.resolve(name.replace(' ', '-') + ".yml"),
                yaml.replace("\\n", "\n").replace("HASH", HASH));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = BpfwatchCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("run", "--web.listen-address=127.0.0.1:0", "--web.config.file", file.toString());
        String message = err.toString().strip();
        assertEquals(2, exit, message);
        assertEquals(1, message.lines().count(), "one line: " + message);
        assertTrue(message.startsWith("bpfwatch: " + file + ":" + line + ": "), message);
        assertTrue(message.contains(expected), message);
        assertFalse(message.contains("Exception"), message);
        assertEquals(0, Bpftool.countOwnPrograms("count_drop"), "nothing loaded after a bad web config");
    }
}
