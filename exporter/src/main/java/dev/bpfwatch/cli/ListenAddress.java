package dev.bpfwatch.cli;

import java.net.InetSocketAddress;

/** Parses Prometheus-style listen addresses: ":9435", "127.0.0.1:9435", "[::1]:9435". */
final class ListenAddress {
    private ListenAddress() {
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
