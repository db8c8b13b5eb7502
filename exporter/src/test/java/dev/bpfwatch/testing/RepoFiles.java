package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Files of the repository (Dockerfile, deploy/, README) as tests read them; JSON and YAML parsed with snakeyaml. */
public final class RepoFiles {
    private RepoFiles() {
    }

    /** The repository root: the nearest directory above the working directory holding the Dockerfile. */
    public static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("Dockerfile")) && Files.isDirectory(p.resolve("deploy"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root (with Dockerfile and deploy/) not found above "
                + Path.of("").toAbsolutePath());
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }

    public static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a YAML file (or JSON text: snakeyaml reads it as YAML). */
    public static List<Object> yamlDocuments(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        List<Object> docs = new java.util.ArrayList<>();
        new Yaml(options).loadAll(text).forEach(docs::add);
        return docs;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> yaml(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return (Map<String, Object>) new Yaml(options).load(text);
    }

    /** Runs a command to its end (at most two minutes); exit code and merged output. */
    public static Result exec(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": did not end in 2 minutes");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Result(int exitCode, String output) {
    }
}
