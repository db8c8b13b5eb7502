package dev.bpfwatch.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a --web.config.file says (exporter-toolkit's format): TLS for the
 * endpoint and basic-auth users. Only the shape is checked here; the TLS
 * files are read when the server is set up, and errors about them point back
 * at the line that named them through {@link FileRef}.
 */
public record WebConfig(String file, Optional<Tls> tls, Map<String, String> users) {

    /** No TLS, no users: the endpoint as it is without a web config. */
    public static WebConfig none() {
        return new WebConfig("", Optional.empty(), Map.of());
    }

    public record Tls(FileRef cert, FileRef key, Optional<FileRef> clientCa, ClientAuth clientAuth,
                      TlsVersion minVersion) {
    }

    /** A file named in the web config, with where it was named, so a bad file is reported at that line. */
    public record FileRef(Path path, String configFile, int line) {
        public ConfigException error(String message) {
            return new ConfigException(configFile, line, message);
        }
    }

    /** Go's tls.ClientAuthType names, as exporter-toolkit spells them. */
    public enum ClientAuth {
        NoClientCert(false, false, false),
        RequestClientCert(true, false, false),
        RequireAnyClientCert(true, true, false),
        VerifyClientCertIfGiven(true, false, true),
        RequireAndVerifyClientCert(true, true, true);

        /** The server asks the client for a certificate. */
        public final boolean requested;
        /** The handshake fails without one. */
        public final boolean required;
        /** A certificate given must chain to client_ca_file. */
        public final boolean verified;

        ClientAuth(boolean requested, boolean required, boolean verified) {
            this.requested = requested;
            this.required = required;
            this.verified = verified;
        }
    }

    public enum TlsVersion {
        TLS12("TLSv1.3", "TLSv1.2"),
        TLS13("TLSv1.3");

        /** JSSE protocol names allowed from this minimum up. */
        public final String[] protocols;

        TlsVersion(String... protocols) {
            this.protocols = protocols;
        }
    }
}
