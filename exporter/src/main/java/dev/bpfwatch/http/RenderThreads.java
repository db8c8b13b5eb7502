package dev.bpfwatch.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a handler on a few threads of its own, the request thread waiting.
 * The Prometheus client's metrics handler keeps one response buffer per
 * thread that ever ran it (a ThreadLocal, megabytes for a big map): run by
 * the up to 512 request threads that slow clients need (SlowClientLimits),
 * the agent's live heap grew by 188 MiB under 50 scrapers
 * (ConcurrentScrapeLoadTest). Here as many buffers exist as render threads,
 * as with the 4 request threads before.
 */
final class RenderThreads implements HttpHandler, AutoCloseable {
    static final int THREADS = 4;

    private final HttpHandler handler;
    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "bpfwatch-render");
        t.setDaemon(true);
        return t;
    });

    RenderThreads(HttpHandler handler) {
        this.handler = handler;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Future<?> done = threads.submit(() -> {
            handler.handle(exchange);
            return null;
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            done.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while rendering", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
