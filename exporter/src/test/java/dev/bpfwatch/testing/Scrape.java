package dev.bpfwatch.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scrapes an exporter over HTTP, as Prometheus would, and reads one sample. */
public final class Scrape {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Scrape() {
    }

    public static String metrics(int port) {
        return get(port, "/metrics");
    }

    public static String get(int port, String path) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path))
                            .timeout(Duration.ofSeconds(KernelMatrix.inGuest() ? 120 : 10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("scrape returned " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The value of the series {@code name{labels}} in a text exposition.
     *
     * @throws AssertionError when the series is absent: a missing series is
     *         a finding, never a silent 0 (see {@link #find} for series that
     *         may rightly be absent)
     */
    public static double value(String exposition, String name, String labels) {
        OptionalDouble v = find(exposition, name, labels);
        if (v.isEmpty()) {
            throw new AssertionError("no series " + name + "{" + labels + "} in the exposition:\n" + exposition);
        }
        return v.getAsDouble();
    }

    /** The series' value, or empty when the exposition has no such series. */
    public static OptionalDouble find(String exposition, String name, String labels) {
        Matcher m = labels.isEmpty()
                ? Pattern.compile("^" + Pattern.quote(name) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition)
                : Pattern.compile("^" + Pattern.quote(name) + "\\{" + Pattern.quote(labels) + ",?\\} (\\S+)$",
                        Pattern.MULTILINE).matcher(exposition);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    /** Whether the exposition has the series {@code name{labels}}. */
    public static boolean has(String exposition, String name, String labels) {
        return find(exposition, name, labels).isPresent();
    }
}
