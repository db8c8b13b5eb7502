package dev.bpfwatch.http;

import com.sun.net.httpserver.Authenticator;
import dev.bpfwatch.config.WebConfig;
import dev.bpfwatch.config.WebConfigParser;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a web config turns into for the server: TLS (or plain HTTP) and an
 * authenticator (or none). Built before anything is loaded in the kernel, so
 * every mistake in the web config or its files stops bpfwatch at start-up.
 */
public record WebSecurity(Optional<TlsContext> tls, Optional<Authenticator> auth) {

    public static WebSecurity none() {
        return new WebSecurity(Optional.empty(), Optional.empty());
    }

    /**
     * From --web.config.file; null means none. Its users are re-read while the agent runs
     * ({@link ReloadingAuth}); its TLS settings are read here, once.
     */
    public static WebSecurity load(Path webConfigFile) {
        if (webConfigFile == null) {
            return none();
        }
        WebConfig config = WebConfigParser.parse(webConfigFile);
        return new WebSecurity(config.tls().map(TlsContext::of), Optional.of(new ReloadingAuth(webConfigFile, config)));
    }

    public static WebSecurity of(WebConfig config) {
        Optional<TlsContext> tls = config.tls().map(TlsContext::of);
        Optional<Authenticator> auth = config.users().isEmpty() ? Optional.empty()
                : Optional.of(new BasicAuth(new PasswordVerifier(config.users())));
        return new WebSecurity(tls, auth);
    }

    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }
}
