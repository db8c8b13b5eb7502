package dev.bpfwatch.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoint: metrics at the telemetry path (text or
 * OpenMetrics by content negotiation, streamed: {@link MetricsHandler}), a landing
 * page at /, and /-/healthy. With a web config: HTTPS and basic auth on
 * every path, as exporter-toolkit does.
 *
 * <p>Plain HTTP sent to the HTTPS port is not TLS: the JDK's server fails
 * the handshake and closes the connection without a response (curl says
 * "Empty reply from server" at once); it does not answer 400 as Go does.
 */
public final class WebServer implements AutoCloseable {
    static {
        // The JDK reads its server timeouts once, when the JVM's first server is made: before any here.
        SlowClientLimits.install();
    }

    static final String LANDING = "/";
    static final String HEALTHY = "/-/healthy";
    static final String RELOAD = "/-/reload";
    /** Raw map contents, served with --debug only (as ebpf_exporter does). */
    public static final String MAPS = "/maps";
    /** The paths served besides the telemetry path, which must not be one of them. */
    public static final Set<String> BUILT_IN_PATHS = Set.of(LANDING, HEALTHY, RELOAD);

    private final HttpServer server;
    private final ExecutorService executor;

    private WebServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param reload re-reads the configs; returns null on success, else why
     *               the previous configs keep running
     */
    public static WebServer start(InetSocketAddress listen, String telemetryPath, CollectorRegistry registry,
                                  Supplier<String> landingPage) throws IOException {
        return start(listen, telemetryPath, registry, landingPage, () -> "reload not available", WebSecurity.none());
    }

    /**
     * @param reload re-reads the configs; returns null on success, else why
     *               the previous configs keep running
     */
    public static WebServer start(InetSocketAddress listen, String telemetryPath, CollectorRegistry registry,
                                  Supplier<String> landingPage, Supplier<String> reload, WebSecurity security)
            throws IOException {
        return start(listen, telemetryPath, registry, landingPage, reload, security, null, null);
    }

    /**
     * @param maps      the /maps page, or null to serve none (it shows raw kernel
     *                  data: only with --debug)
     * @param inherited a listening socket to serve on instead of binding
     *                  {@code listen} (socket activation), or null
     */
    public static WebServer start(InetSocketAddress listen, String telemetryPath, CollectorRegistry registry,
                                  Supplier<String> landingPage, Supplier<String> reload, WebSecurity security,
                                  Supplier<String> maps, ServerSocketChannel inherited)
            throws IOException {
        if (BUILT_IN_PATHS.contains(telemetryPath)) {
            throw new IllegalArgumentException("telemetry path " + telemetryPath + " is a built-in endpoint");
        }
        MetricsHandler metrics = new MetricsHandler(registry);
        ExactPaths routes = new ExactPaths(exchange ->
                respond(exchange, 404, "text/plain", "not found; metrics are at " + telemetryPath + "\n"))
                .add(telemetryPath, metrics)
                .add(HEALTHY, exchange -> respond(exchange, 200, "text/plain", "OK\n"))
                .add(RELOAD, exchange -> {
                    if (!"POST".equals(exchange.getRequestMethod())) {
                        exchange.getResponseHeaders().set("Allow", "POST");
                        respond(exchange, 405, "text/plain", "reload takes POST\n");
                        return;
                    }
                    String error = reload.get();
                    if (error == null) {
                        respond(exchange, 200, "text/plain", "OK\n");
                    } else {
                        respond(exchange, 500, "text/plain",
                                "reload failed, previous configs keep running: " + error + "\n");
                    }
                })
                .add(LANDING, exchange -> respond(exchange, 200, "text/html; charset=utf-8", landingPage.get()));
        if (maps != null) {
            if (MAPS.equals(telemetryPath)) {
                throw new IllegalArgumentException("telemetry path " + telemetryPath + " is the debug maps endpoint");
            }
            routes.add(MAPS, exchange -> respond(exchange, 200, "text/plain; charset=utf-8", maps.get()));
        }
        HttpServer server = create(inherited == null ? listen
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), security);
        if (inherited != null) {
            AdoptedListener.adopt(server, inherited);
        }
        // One context for every path: the JDK's contexts match by prefix, ExactPaths does not.
        HttpContext context = server.createContext("/", routes);
        security.auth().ifPresent(context::setAuthenticator);
        context.getFilters().add(new SmallWritesFilter());
        ExecutorService executor = SlowClientLimits.handlers();
        server.setExecutor(executor);
        server.start();
        return new WebServer(server, executor);
    }

    private static HttpServer create(InetSocketAddress listen, WebSecurity security) throws IOException {
        if (security.tls().isEmpty()) {
            return HttpServer.create(listen, 64);
        }
        TlsContext tls = security.tls().get();
        HttpsServer server = HttpsServer.create(listen, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.context()) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(tls.parameters());
            }
        });
        return server;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Where it serves, as a URL without path: https://127.0.0.1:9435,
     * http://[::1]:9435; a wildcard bind shows as 0.0.0.0 or [::] (every address).
     */
    public String url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (a.getAddress() instanceof java.net.Inet6Address) {
            host = a.getAddress().isAnyLocalAddress() ? "::" : host.replaceFirst("%.*$", "");
            host = "[" + host + "]";
        }
        return (server instanceof HttpsServer ? "https" : "http") + "://" + host + ":" + a.getPort();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
