package dev.bpfwatch.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

    /** The value of the series {@code name{labels}} in a text exposition, 0 when absent. */
    public static double value(String exposition, String name, String labels) {
        if (labels.isEmpty()) {
            Matcher bare = Pattern.compile("^" + Pattern.quote(name) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
            return bare.find() ? Double.parseDouble(bare.group(1)) : 0;
        }
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{" + Pattern.quote(labels) + ",?\\} (\\S+)$",
                Pattern.MULTILINE).matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
