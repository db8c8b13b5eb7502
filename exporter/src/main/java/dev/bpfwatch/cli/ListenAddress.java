package dev.bpfwatch.cli;

import dev.bpfwatch.libbpf.InheritedSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * Parses Prometheus-style listen addresses: ":9435", "127.0.0.1:9435",
 * "[::1]:9435"; and "fd://N", a socket the service manager passed.
 */
final class ListenAddress {
    static final String FD_PREFIX = "fd://";

    private ListenAddress() {
    }

    /** The passed socket fd://N names, or bad input saying why there is none. */
    static ServerSocketChannel inherited(String value) {
        String n = value.substring(FD_PREFIX.length());
        if (!n.matches("[0-9]{1,4}")) {
            throw new UserInputException("--web.listen-address " + value + ": expected fd://N, N the socket's "
                    + "index among those systemd passed (fd://0 the first)");
        }
        try {
            return InheritedSocket.listener(Integer.parseInt(n));
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--web.listen-address " + value + ": " + e.getMessage());
        }
    }

    static InetSocketAddress localAddress(ServerSocketChannel channel) {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InetSocketAddress parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new UserInputException("--web.listen-address " + value + ": expected [HOST]:PORT, e.g. :9435");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new UserInputException("--web.listen-address " + value + ": port must be 0-65535");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
