package dev.bpfwatch.decode;

import java.util.HexFormat;

/** {@code hex}: any bytes as lowercase hex, two digits per byte, in key order. */
public final class Hex implements Decoder {

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) {
        return Bytes.utf8(HexFormat.of().formatHex(in));
    }
}
