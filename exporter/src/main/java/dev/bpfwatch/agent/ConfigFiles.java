package dev.bpfwatch.agent;

import dev.bpfwatch.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds configs: pairs NAME.yaml + NAME.bpf.o in a directory (ebpf_exporter's
 * layout), or the embedded default inside the jar.
 */
public final class ConfigFiles {
    static final String EMBEDDED = "/bpfwatch/configs";
    /** A plain file name: no "/", and not "." or ".." (nothing may start with a dot). */
    private static final Pattern CONFIG_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    private ConfigFiles() {
    }

    /** One config's two files. */
    public record Pair(String name, Path yaml, Path object) {
    }

    /** The directory the embedded configs live in: a folder in development, a path inside the jar when packaged. */
    public static Path embeddedDir() {
        URL url = ConfigFiles.class.getResource(EMBEDDED);
        if (url == null) {
            throw new IllegalStateException("embedded configs missing from the build");
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                return fs.getPath(EMBEDDED);
            }
            return Path.of(uri);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("embedded configs unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * The configs to run: every NAME.yaml in {@code dir}, or only {@code names}
     * when given. A named config that is missing, or a yaml without its object,
     * is an error naming the file.
     */
    public static List<Pair> find(Path dir, List<String> names) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(dir.toString(), 0, "config directory does not exist");
        }
        List<String> wanted = new ArrayList<>(names);
        if (wanted.isEmpty()) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted()
                        .forEach(n -> wanted.add(n.substring(0, n.length() - ".yaml".length())));
            } catch (IOException e) {
                throw new UncheckedIOException("list " + dir + ": " + e.getMessage(), e);
            }
            if (wanted.isEmpty()) {
                throw new ConfigException(dir.toString(), 0, "no *.yaml configs in this directory");
            }
        }
        List<Pair> out = new ArrayList<>();
        for (String name : wanted) {
            // A name becomes a file name here and a directory under the pin root: "../x" or "a/b" would
            // reach outside both.
            if (!CONFIG_NAME.matcher(name).matches()) {
                throw new ConfigException(names.contains(name) ? "--config.names " + name
                        : dir.resolve(name + ".yaml").toString(), 0,
                        "not a config name (letters, digits, _ . -, not starting with . or -)");
            }
            Path yaml = dir.resolve(name + ".yaml");
            Path object = dir.resolve(name + ".bpf.o");
            if (!Files.isRegularFile(yaml)) {
                throw new ConfigException(yaml.toString(), 0, "config '" + name + "' not found");
            }
            if (!Files.isRegularFile(object)) {
                throw new ConfigException(object.toString(), 0, "object for config '" + name
                        + "' not found (NAME.yaml needs NAME.bpf.o beside it)");
            }
            out.add(new Pair(name, yaml, object));
        }
        return out;
    }
}
