package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.testing.Curl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web config's users as they are now: a rotated password works and the
 * old one stops working from the next request on (no restart, no signal),
 * whether the file is rewritten in place or replaced by a rename; a web config
 * that became invalid refuses every request (500), never falling back to the
 * old users, until it is fixed.
 */
class WebConfigReloadTest {
    @TempDir
    Path dir;

    private Path web;

    private void users(String user, String password) throws IOException {
        Files.writeString(web, "basic_auth_users:\n  " + user + ": " + WebSecurityTest.bcrypt(password) + "\n");
    }

    private static int status(Agent agent, String credentials) {
        Curl c = credentials == null ? Curl.get("http://127.0.0.1:" + agent.port() + "/metrics")
                : Curl.get("http://127.0.0.1:" + agent.port() + "/metrics", "-u", credentials);
        return c.status();
    }

    @Test
    void aRotatedPasswordTakesEffectOnTheNextRequest() throws Exception {
        web = dir.resolve("web.yml");
        users("prometheus", "first");
        try (Agent agent = WebSecurityTest.start(web)) {
            assertEquals(200, status(agent, "prometheus:first"));
            assertEquals(401, status(agent, null));

            users("prometheus", "second"); // in place
            assertEquals(401, status(agent, "prometheus:first"), "old password after rotation");
            assertEquals(200, status(agent, "prometheus:second"), "new password after rotation");

            Path next = dir.resolve("web.yml.new");
            Files.writeString(next, "basic_auth_users:\n  grafana: " + WebSecurityTest.bcrypt("third") + "\n");
            Files.move(next, web, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertEquals(401, status(agent, "prometheus:second"), "user removed by a replaced file");
            assertEquals(200, status(agent, "grafana:third"));

            Files.writeString(web, "basic_auth_users: [not, a, map\n");
            assertEquals(500, status(agent, "grafana:third"), "broken web config: fail closed");
            assertEquals(500, status(agent, null), "broken web config: fail closed");

            users("prometheus", "fourth");
            assertEquals(200, status(agent, "prometheus:fourth"), "fixed web config");
            assertEquals(401, status(agent, "grafana:third"));
        }
    }

    @Test
    void usersAddedToAConfigWithoutAnyAreEnforced() throws Exception {
        web = dir.resolve("web.yml");
        Files.writeString(web, "basic_auth_users: {}\n");
        try (Agent agent = WebSecurityTest.start(web)) {
            assertEquals(200, status(agent, null), "no users: open");
            users("prometheus", "now");
            assertEquals(401, status(agent, null), "users added: closed");
            assertEquals(200, status(agent, "prometheus:now"));
        }
    }
}
