package dev.bpfwatch.config;

import dev.bpfwatch.text.Suggest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a web config in Prometheus exporter-toolkit's format, so a file
 * written for node_exporter works here. Keys exporter-toolkit knows but
 * bpfwatch does not implement are refused by name rather than silently
 * weakening what the operator asked for.
 */
public final class WebConfigParser {
    private static final Logger LOG = Logger.getLogger(WebConfigParser.class.getName());

    static final Set<String> TOP = Set.of("tls_server_config", "http_server_config", "basic_auth_users");
    static final Set<String> TLS = Set.of("cert_file", "key_file", "client_ca_file", "client_auth_type",
            "min_version");
    /** exporter-toolkit keys not implemented here. */
    static final Set<String> TLS_UNSUPPORTED = Set.of("cert", "key", "client_ca", "max_version", "cipher_suites",
            "curve_preferences", "prefer_server_cipher_suites", "client_allowed_sans");
    /** $2a$, $2b$ or $2y$, two-digit cost, 22 chars of salt and 31 of hash in bcrypt's base64. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    private WebConfigParser() {
    }

    public static WebConfig parse(Path path) {
        String file = path.toString();
        InputStream in;
        try {
            in = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, 0, "no such file");
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
        Node root = YamlNode.compose(file, in);
        if (root == null) {
            // exporter-toolkit serves plain HTTP for an empty file; so do we.
            LOG.warning(file + ": empty web config: no TLS, no authentication");
            return new WebConfig(file, Optional.empty(), Map.of());
        }
        Map<String, YamlNode> top = new YamlNode(file, root).mapping("web config", TOP);
        YamlNode.get(top, "http_server_config").ifPresent(n -> LOG.warning(
                file + ":" + n.line() + ": 'http_server_config' is not supported by bpfwatch; ignored"));
        // Relative paths are relative to the web config, as in exporter-toolkit.
        Path base = path.toAbsolutePath().getParent();
        Optional<WebConfig.Tls> tls = YamlNode.get(top, "tls_server_config").map(n -> tls(n, base));
        Map<String, String> users = YamlNode.get(top, "basic_auth_users").map(WebConfigParser::users)
                .orElse(Map.of());
        return new WebConfig(file, tls, users);
    }

    private static WebConfig.Tls tls(YamlNode node, Path base) {
        Set<String> allowed = new java.util.HashSet<>(TLS);
        allowed.addAll(TLS_UNSUPPORTED);
        Map<String, YamlNode> m = node.mapping("tls_server_config", allowed);
        for (String key : m.keySet()) {
            if (TLS_UNSUPPORTED.contains(key)) {
                throw m.get(key).error("tls_server_config: '" + key + "' is not supported by bpfwatch");
            }
        }
        WebConfig.FileRef cert = file(m, "cert_file", base)
                .orElseThrow(() -> node.error("tls_server_config needs cert_file"));
        WebConfig.FileRef key = file(m, "key_file", base)
                .orElseThrow(() -> node.error("tls_server_config needs key_file"));
        Optional<WebConfig.FileRef> clientCa = file(m, "client_ca_file", base);
        WebConfig.ClientAuth clientAuth = YamlNode.get(m, "client_auth_type")
                .map(n -> named(n, "client_auth_type", WebConfig.ClientAuth.class))
                .orElse(WebConfig.ClientAuth.NoClientCert);
        WebConfig.TlsVersion minVersion = YamlNode.get(m, "min_version")
                .map(n -> named(n, "min_version", WebConfig.TlsVersion.class))
                .orElse(WebConfig.TlsVersion.TLS12);
        if (clientCa.isPresent() && !clientAuth.requested) {
            // exporter-toolkit refuses this too: a CA with no policy is a forgotten client_auth_type.
            throw m.get("client_ca_file").error("client_ca_file is set but client_auth_type is NoClientCert; "
                    + "set client_auth_type: RequireAndVerifyClientCert");
        }
        if (clientCa.isEmpty() && clientAuth.verified) {
            throw m.get("client_auth_type").error("client_auth_type " + clientAuth
                    + " verifies client certificates: it needs client_ca_file");
        }
        return new WebConfig.Tls(cert, key, clientCa, clientAuth, minVersion);
    }

    private static Optional<WebConfig.FileRef> file(Map<String, YamlNode> m, String key, Path base) {
        return YamlNode.get(m, key).map(n -> {
            String value = n.string(key);
            Path p;
            try {
                p = base.resolve(value).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                throw n.error(key + " '" + value + "': not a valid path");
            }
            return new WebConfig.FileRef(p, n.file(), n.line());
        });
    }

    private static <E extends Enum<E>> E named(YamlNode n, String what, Class<E> type) {
        String value = n.string(what);
        Set<String> names = Arrays.stream(type.getEnumConstants()).map(Enum::name)
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        if (!names.contains(value)) {
            throw n.error(what + " '" + value + "' unknown" + Suggest.didYouMean(value, names)
                    + " (" + String.join(", ", names) + ")");
        }
        return Enum.valueOf(type, value);
    }

    private static Map<String, String> users(YamlNode node) {
        Map<String, String> hashes = node.stringMap("basic_auth_users");
        Map<String, YamlNode> lines = node.mapping("basic_auth_users", hashes.keySet());
        Map<String, String> users = new LinkedHashMap<>();
        hashes.forEach((user, hash) -> {
            YamlNode at = lines.get(user);
            if (user.isEmpty()) {
                throw at.error("basic_auth_users: empty user name");
            }
            if (user.contains(":")) {
                throw at.error("basic_auth_users: user '" + user + "' contains ':', which basic auth cannot carry");
            }
            if (!BCRYPT.matcher(hash).matches()) {
                throw at.error("basic_auth_users: the password of '" + user + "' is not a bcrypt hash "
                        + "($2a$, $2b$ or $2y$, 60 characters; make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')");
            }
            int cost = Integer.parseInt(hash.substring(4, 6));
            if (cost < 4 || cost > 31) {
                throw at.error("basic_auth_users: the bcrypt cost of '" + user + "' is " + cost + ", must be 4-31");
            }
            users.put(user, hash);
        });
        return Map.copyOf(users);
    }
}
