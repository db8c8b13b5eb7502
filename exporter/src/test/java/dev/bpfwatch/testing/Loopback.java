package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Test traffic, on loopback only. */
public final class Loopback {
    private Loopback() {
    }

    /** A UDP port on 127.0.0.1 with nothing bound to it (bound once, then released). */
    public static int closedUdpPort() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void sendUdp(String host, int port, int count, int payloadBytes) {
        try (DatagramSocket s = new DatagramSocket()) {
            InetAddress to = InetAddress.getByName(host);
            if (!to.isLoopbackAddress()) {
                throw new IllegalArgumentException("tests send to loopback only: " + host);
            }
            byte[] payload = new byte[payloadBytes];
            for (int i = 0; i < count; i++) {
                s.send(new DatagramPacket(payload, payload.length, to, port));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
