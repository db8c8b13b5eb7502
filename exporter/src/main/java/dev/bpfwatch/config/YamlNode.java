package dev.bpfwatch.config;

import dev.bpfwatch.text.Suggest;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML node that remembers its file and line, so every error about a
 * config says where. Typed getters fail with file:line and what was expected.
 */
final class YamlNode {
    private final String file;
    private final Node node;

    YamlNode(String file, Node node) {
        this.file = file;
        this.node = node;
    }

    /**
     * Configs are a few kilobytes. Parsing is slow in a long scalar (5 MB
     * took 13 s to reject, 50 MB never finished, 1 MB parsed in 4 s), so the
     * size is checked before the parser sees a byte, and the limit keeps the
     * largest accepted file under a second.
     */
    static final int MAX_FILE_BYTES = 256 << 10;

    /** {@link #compose(String, Reader)} of at most {@link #MAX_FILE_BYTES}; a larger file is refused unread. */
    static Node compose(String file, InputStream in) {
        byte[] bytes;
        try (in) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(file, 0, "larger than " + MAX_FILE_BYTES + " bytes, the limit for a config");
        }
        return compose(file, new StringReader(new String(bytes, StandardCharsets.UTF_8)));
    }

    /**
     * Parses one YAML document into nodes that keep their lines, refusing
     * duplicate keys and alias bombs; null for an empty document.
     */
    private static Node compose(String file, Reader reader) {
        try (reader) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10); // billion-laughs guard
            return new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new ConfigException(file, line, "malformed YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(file, 0, "malformed YAML: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
    }

    int line() {
        return node.getStartMark().getLine() + 1;
    }

    ConfigException error(String message) {
        return new ConfigException(file, line(), message);
    }

    String file() {
        return file;
    }

    /** This node as a mapping whose keys must all be in {@code allowed}. */
    Map<String, YamlNode> mapping(String what, Set<String> allowed) {
        if (!(node instanceof MappingNode m)) {
            throw error(what + " must be a mapping (key: value), got " + describe());
        }
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            YamlNode key = new YamlNode(file, t.getKeyNode());
            String k = key.scalar(what + " key");
            if (!allowed.contains(k)) {
                throw key.error("unknown key '" + k + "' in " + what + Suggest.didYouMean(k, allowed));
            }
            if (out.put(k, new YamlNode(file, t.getValueNode())) != null) {
                throw key.error("duplicate key '" + k + "' in " + what);
            }
        }
        return out;
    }

    List<YamlNode> sequence(String what) {
        if (!(node instanceof SequenceNode s)) {
            throw error(what + " must be a list, got " + describe());
        }
        List<YamlNode> out = new ArrayList<>();
        for (Node n : s.getValue()) {
            out.add(new YamlNode(file, n));
        }
        return out;
    }

    String scalar(String what) {
        if (!(node instanceof ScalarNode s)) {
            throw error(what + " must be a single value, got " + describe());
        }
        return s.getValue();
    }

    String string(String what) {
        String v = scalar(what);
        if (v.isBlank()) {
            throw error(what + " must not be empty");
        }
        return v;
    }

    long integer(String what) {
        String v = scalar(what);
        try {
            return Long.decode(v.strip());
        } catch (NumberFormatException e) {
            throw error(what + " must be an integer, got '" + v + "'");
        }
    }

    /** An integer in [min, max]: a value that does not fit is an error, never cut to its low bits. */
    int integer(String what, int min, int max) {
        long v = integer(what);
        if (v < min || v > max) {
            throw error(what + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) v;
    }

    double number(String what) {
        String v = scalar(what);
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw error(what + " must be a number, got '" + v + "'");
        }
    }

    boolean bool(String what) {
        String v = scalar(what).strip().toLowerCase();
        switch (v) {
            case "true": case "yes": case "on": return true;
            case "false": case "no": case "off": return false;
            default: throw error(what + " must be true or false, got '" + v + "'");
        }
    }

    /** A mapping of scalars to scalars (static_map). */
    Map<String, String> stringMap(String what) {
        if (!(node instanceof MappingNode m)) {
            throw error(what + " must be a mapping, got " + describe());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            out.put(new YamlNode(file, t.getKeyNode()).scalar(what + " key"),
                    new YamlNode(file, t.getValueNode()).scalar(what + " value"));
        }
        return out;
    }

    static Optional<YamlNode> get(Map<String, YamlNode> m, String key) {
        return Optional.ofNullable(m.get(key));
    }

    private String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
}
