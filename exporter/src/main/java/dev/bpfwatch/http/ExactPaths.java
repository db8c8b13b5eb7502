package dev.bpfwatch.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Routes a request by its exact path. The JDK server matches contexts by
 * prefix, so with one context per endpoint /metricsX served metrics and
 * /-/healthyX answered OK; here every path is one context's handler, and any
 * other path is 404, as Go's ServeMux does for paths without a trailing
 * slash.
 */
final class ExactPaths implements HttpHandler {
    private final Map<String, HttpHandler> routes = new LinkedHashMap<>();
    private final HttpHandler notFound;

    ExactPaths(HttpHandler notFound) {
        this.notFound = notFound;
    }

    /** Refuses a second handler for a path: one endpoint must never shadow another. */
    ExactPaths add(String path, HttpHandler handler) {
        if (routes.putIfAbsent(path, handler) != null) {
            throw new IllegalArgumentException(path + " is served already");
        }
        return this;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        routes.getOrDefault(exchange.getRequestURI().getPath(), notFound).handle(exchange);
    }
}
