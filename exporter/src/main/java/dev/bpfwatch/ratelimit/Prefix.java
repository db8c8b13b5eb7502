package dev.bpfwatch.ratelimit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An address prefix as the override trie keys it (struct udprl_prefix):
 * the prefix length counts bits of the 16-byte mapped form, so IPv4
 * 10.0.0.0/24 is stored as ::ffff:10.0.0.0/120.
 */
public record Prefix(byte[] address, int length) {
    static final int SIZE = 20;

    /** "127.0.0.2/32", "2001:db8::/64", or a bare address (a single host). */
    public static Prefix parse(String text) {
        int slash = text.indexOf('/');
        InetAddress address = Addresses.parseLiteral(slash < 0 ? text : text.substring(0, slash));
        boolean v4 = address instanceof Inet4Address;
        int max = v4 ? 32 : 128;
        int length;
        try {
            length = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'");
        }
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length of '" + text + "' must be 0-" + max);
        }
        return new Prefix(masked(Addresses.mapped(address), v4 ? 96 + length : length), v4 ? 96 + length : length);
    }

    /** The trie ignores bits past the length, but equal keys must compare equal here too. */
    private static byte[] masked(byte[] addr, int bits) {
        byte[] out = addr.clone();
        for (int i = 0; i < 16; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    boolean contains(byte[] addr16) {
        return java.util.Arrays.equals(masked(addr16, length), address);
    }

    byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder()).putInt(length).put(address).array();
    }

    static Prefix decode(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        byte[] addr = new byte[16];
        b.position(4);
        b.get(addr);
        return new Prefix(addr, b.getInt(0));
    }

    @Override
    public String toString() {
        boolean v4 = Addresses.isV4Mapped(address) && length >= 96;
        return Addresses.format(address) + "/" + (v4 ? length - 96 : length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prefix p && p.length == length && java.util.Arrays.equals(p.address, address);
    }

    @Override
    public int hashCode() {
        return 31 * length + java.util.Arrays.hashCode(address);
    }
}
