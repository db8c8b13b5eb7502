package dev.bpfwatch.http;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What keeps slow and idle clients from taking the endpoint down, with the
 * JDK's HTTP server (com.sun.net.httpserver, JDK 17).
 *
 * <p>That server reads a request's line and headers, and for HTTPS the whole
 * TLS handshake, in a handler thread with blocking reads. It has no timeout
 * by default: four connections trickling headers (or sending 3 bytes of a
 * ClientHello) held the four handler threads forever and no scrape got
 * through. Go exporters (exporter-toolkit) set a read-header timeout, which
 * in Go also bounds the TLS handshake. The JDK's equivalent exists, as
 * system properties read once, when the first server of the JVM is created:
 * <ul>
 * <li>{@code sun.net.httpserver.maxReqTime} (seconds): a connection is closed
 * when its request is not read this long after its first byte arrived: TLS
 * handshake, request line and headers (and a body, if any);
 * <li>a connection that never sends a byte is closed after the lesser of
 * maxReqTime and {@code idleInterval} (30 s);
 * <li>the two timers that enforce this run every {@code timerMillis} (1 s)
 * and every {@code clockTick} (10 s by default: set to 1 s, so an idle
 * connection is closed at most a second late, not ten).
 * </ul>
 * Measured on 17.0.15 (SlowClientTest): 200 such connections, plain and
 * TLS, were closed 10.0-11.1 s after connect, and every scrape meanwhile was
 * served; with the default clockTick, the 100 idle ones among them were
 * still open 12 s after connect. A value set with -D on the command line
 * wins.
 *
 * <p>A connection being read still holds its handler thread until then, so
 * the pool must be larger than the number of slow clients to expect; the JDK
 * 17 server has no non-blocking read of headers and no virtual threads. Threads
 * are made only when none is idle, and idle ones end after 30 s, so a quiet
 * agent keeps none and a busy one keeps about as many as requests in flight.
 */
final class SlowClientLimits {
    /** Header-read and TLS-handshake timeout, as the README documents. */
    static final int HEADER_TIMEOUT_SECONDS = 10;
    /** Connections that may be in a request at once before new ones wait (for at most the timeout). */
    static final int HANDLER_THREADS = 512;

    private SlowClientLimits() {
    }

    /** Must run before the JVM's first com.sun.net.httpserver server is created: the JDK reads these once. */
    static void install() {
        setUnlessGiven("sun.net.httpserver.maxReqTime", Integer.toString(HEADER_TIMEOUT_SECONDS));
        setUnlessGiven("sun.net.httpserver.timerMillis", "1000");
        setUnlessGiven("sun.net.httpserver.clockTick", "1000");
    }

    private static void setUnlessGiven(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /**
     * Up to {@link #HANDLER_THREADS} threads, made only when no thread is idle. A plain
     * ThreadPoolExecutor with a core size of 512 starts a new thread for each request until
     * it has 512, idle ones or not: 50 scrapers in a loop grew the agent to 533 threads and
     * 57 MB of touched stacks. Here a request is handed to an idle thread if one waits, a new
     * thread is made only if none does, and at the limit requests queue.
     */
    static ExecutorService handlers() {
        HandOffQueue queue = new HandOffQueue();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, HANDLER_THREADS, 30, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "bpfwatch-http");
            t.setDaemon(true);
            return t;
        }, (task, executor) -> {
            // Every thread is busy: wait in line (the header timeout still bounds slow clients).
            if (executor.isShutdown()) {
                throw new RejectedExecutionException("web server stopped");
            }
            queue.enqueue(task);
        });
        return pool;
    }

    /**
     * The executor offers a task here before it makes a thread; accepting it only when an idle
     * thread takes it at once makes the executor prefer idle threads over new ones, and new
     * ones over waiting.
     */
    private static final class HandOffQueue extends LinkedTransferQueue<Runnable> {
        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }
    }
}
