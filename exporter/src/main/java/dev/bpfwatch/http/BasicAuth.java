package dev.bpfwatch.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * HTTP basic authentication against the web config's bcrypt users. Every
 * refusal is a 401 carrying the challenge, so a browser asks and a client
 * knows which scheme to use; the JDK's BasicAuthenticator leaves it off for
 * a wrong scheme.
 */
final class BasicAuth extends Authenticator {
    static final String REALM = "bpfwatch";

    private final PasswordVerifier verifier;

    BasicAuth(PasswordVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = null;
            }
            int colon = decoded == null ? -1 : decoded.indexOf(':');
            if (colon >= 0) {
                String user = decoded.substring(0, colon);
                if (verifier.verify(user, decoded.substring(colon + 1))) {
                    return new Success(new HttpPrincipal(user, REALM));
                }
            }
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
        return new Retry(401);
    }
}
