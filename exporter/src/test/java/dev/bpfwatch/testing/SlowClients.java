package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Connections that hold a server up the way slowloris does: each sends an
 * opening and then nothing more, or one byte of a header a second, and never
 * finishes. One thread with a selector watches them all and records, per
 * connection, how long after its connect the server closed it.
 */
public final class SlowClients implements AutoCloseable {
    /** What each connection sends. */
    public enum Kind {
        /** A request line, then a header one byte a second, never the blank line. */
        TRICKLED_HEADERS("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n", true),
        /** Nothing at all: an idle connection. */
        SILENT("", false),
        /** The first 3 bytes of a TLS record (handshake, TLS 1.0 record version), then nothing. */
        PARTIAL_TLS_HELLO("\u0016\u0003\u0001", false);

        final byte[] opening;
        final boolean trickles;

        Kind(String opening, boolean trickles) {
            this.opening = opening.getBytes(StandardCharsets.ISO_8859_1);
            this.trickles = trickles;
        }
    }

    private static final byte[] TRICKLE = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            .getBytes(StandardCharsets.ISO_8859_1);

    private final Selector selector;
    private final List<Conn> conns = new ArrayList<>();
    /** Milliseconds from connect to the server's close, per connection index. */
    private final ConcurrentHashMap<Integer, Long> closedAfter = new ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean stop;

    private record Conn(int index, SocketChannel channel, Kind kind, long connectedNanos) {
    }

    private SlowClients(Selector selector) {
        this.selector = selector;
        this.watcher = new Thread(this::watch, "slow-clients");
        this.watcher.setDaemon(true);
    }

    /** Opens {@code kinds.size()} connections to 127.0.0.1:port, each sending its kind's opening. */
    public static SlowClients open(int port, List<Kind> kinds) {
        try {
            SlowClients c = new SlowClients(Selector.open());
            for (int i = 0; i < kinds.size(); i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                long at = System.nanoTime();
                ch.write(ByteBuffer.wrap(kinds.get(i).opening));
                ch.configureBlocking(false);
                Conn conn = new Conn(i, ch, kinds.get(i), at);
                c.conns.add(conn);
                ch.register(c.selector, SelectionKey.OP_READ, conn);
            }
            c.watcher.start();
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void watch() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long nextTrickle = System.nanoTime();
        int offset = 0;
        while (!stop && closedAfter.size() < conns.size()) {
            try {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    buf.clear();
                    int n;
                    try {
                        n = c.channel.read(buf);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    // A server may answer before closing (a 400, a TLS alert): only the close counts.
                    if (n < 0) {
                        closed(c);
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() >= nextTrickle) {
                    nextTrickle += TimeUnit.SECONDS.toNanos(1);
                    byte b = TRICKLE[offset++ % TRICKLE.length];
                    for (Conn c : conns) {
                        if (c.kind.trickles && !closedAfter.containsKey(c.index)) {
                            try {
                                c.channel.write(ByteBuffer.wrap(new byte[] {b}));
                            } catch (IOException gone) {
                                closed(c);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void closed(Conn c) {
        closedAfter.putIfAbsent(c.index, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.connectedNanos));
    }

    public int count() {
        return conns.size();
    }

    /** How many the server has closed so far. */
    public int closedCount() {
        return closedAfter.size();
    }

    /** Waits until the server closed them all or the time is up; returns the number closed. */
    public int awaitAllClosed(long millis) throws InterruptedException {
        watcher.join(millis);
        return closedAfter.size();
    }

    /** Per closed connection, milliseconds from its connect to the server's close. */
    public List<Long> closeTimes() {
        return List.copyOf(closedAfter.values());
    }

    @Override
    public void close() {
        stop = true;
        try {
            watcher.join(2000);
            for (Conn c : conns) {
                c.channel.close();
            }
            selector.close();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
