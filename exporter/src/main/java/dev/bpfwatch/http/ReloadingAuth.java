package dev.bpfwatch.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import dev.bpfwatch.config.ConfigException;
import dev.bpfwatch.config.WebConfig;
import dev.bpfwatch.config.WebConfigParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Basic auth whose users come from the web config as it is now: the file is
 * looked at (one stat) on every request and parsed again when it changed, as
 * exporter-toolkit re-reads its web config per request. A rotated password
 * works, and the old one stops working, from the next request on, with no
 * restart or SIGHUP. A web config that became unreadable or invalid fails
 * closed: every request gets 500 (never the old users) and one WARNING names
 * the fault, until the file is fixed. TLS is set up once at start (the
 * server's scheme cannot change under running clients).
 */
final class ReloadingAuth extends Authenticator {
    private static final Logger LOG = Logger.getLogger(ReloadingAuth.class.getName());
    private static final HttpPrincipal ANONYMOUS = new HttpPrincipal("", BasicAuth.REALM);

    private final Path file;
    private Object stamp;
    /** Null when the config has no users (every request passes). */
    private BasicAuth users;
    /** Why the current file cannot be used; null when it can. */
    private String fault;

    ReloadingAuth(Path file, WebConfig initial) {
        this.file = file;
        this.stamp = stamp(file);
        this.users = usersOf(initial);
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        BasicAuth current;
        synchronized (this) {
            refresh();
            if (fault != null) {
                return new Failure(500);
            }
            current = users;
        }
        return current == null ? new Success(ANONYMOUS) : current.authenticate(exchange);
    }

    private void refresh() {
        Object now = stamp(file);
        if (Objects.equals(now, stamp)) {
            return;
        }
        stamp = now;
        try {
            users = usersOf(WebConfigParser.parse(file));
            if (fault != null) {
                LOG.warning("web config " + file + " is valid again: serving requests");
            }
            fault = null;
        } catch (ConfigException e) {
            fault = e.getMessage();
            LOG.warning(fault + "; every request is refused (500) until the web config is fixed");
        }
    }

    private static BasicAuth usersOf(WebConfig config) {
        return config.users().isEmpty() ? null : new BasicAuth(new PasswordVerifier(config.users()));
    }

    /** What tells a changed file: inode (replaced by rename), modification time and size. */
    private static Object stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return java.util.List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
