package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.Curl;
import dev.bpfwatch.testing.TestCerts;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bpfwatch run` says where it serves as a URL an operator can paste: host:port, https with TLS. */
class ServingLineTest {
    private static final Pattern LINE = Pattern.compile("bpfwatch: serving on (\\S+) \\(metrics at /metrics\\)");

    @TempDir
    static Path dir;

    private static String servingUrl(AgentProcess agent) {
        Matcher m = LINE.matcher(agent.output());
        assertTrue(m.find(), "the start-up line: " + agent.output());
        return m.group(1);
    }

    @Test
    void plainHttpLineIsTheUrl() {
        try (AgentProcess agent = AgentProcess.start("--config.names=kfree_skb_drops", "--bpf.pin-path=")) {
            String url = servingUrl(agent);
            assertEquals("http://127.0.0.1:" + agent.port(), url);
            Curl c = Curl.get(url + "/-/healthy");
            assertEquals(200, c.status(), Curl.describe(c));
        }
    }

    @Test
    void tlsLineIsAnHttpsUrl() {
        TestCerts certs = TestCerts.create(dir);
        Path web = TestCerts.write(dir.resolve("web.yml"),
                "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n");
        try (AgentProcess agent = AgentProcess.start("--config.names=kfree_skb_drops", "--bpf.pin-path=",
                "--web.config.file=" + web)) {
            String url = servingUrl(agent);
            assertEquals("https://127.0.0.1:" + agent.port(), url);
            Curl c = Curl.get(url + "/-/healthy", "--cacert", certs.ca.toString());
            assertEquals(200, c.status(), Curl.describe(c));
        }
    }
}
