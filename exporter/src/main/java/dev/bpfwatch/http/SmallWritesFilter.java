package dev.bpfwatch.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Hands the JDK's HTTP server response bytes in small copies. Its
 * per-connection writer keeps a reference to the last array it was given, so
 * writing a whole exposition at once pins a response-sized buffer for as long
 * as the client keeps the connection open: fifty keep-alive scrapers of a
 * 100,000-series map held half a gigabyte that way.
 */
final class SmallWritesFilter extends Filter {
    private static final int CHUNK = 64 * 1024;

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        exchange.setStreams(null, new ChunkCopyingStream(exchange.getResponseBody()));
        chain.doFilter(exchange);
    }

    @Override
    public String description() {
        return "writes responses in 64 KiB copies";
    }

    private static final class ChunkCopyingStream extends FilterOutputStream {
        private final byte[] chunk = new byte[CHUNK];

        ChunkCopyingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, CHUNK);
                System.arraycopy(b, off, chunk, 0, n);
                out.write(chunk, 0, n);
                off += n;
                len -= n;
            }
        }
    }
}
