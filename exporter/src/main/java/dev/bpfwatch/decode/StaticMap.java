package dev.bpfwatch.decode;

import java.nio.charset.StandardCharsets;

/**
 * {@code static_map}: replaces the input text by its value in the config's
 * map (usually after {@code uint}: "6" -> "tcp"). An input missing from the
 * map passes through with {@code allow_unknown}, otherwise it becomes
 * "unknown:&lt;input&gt;", as in ebpf_exporter: the sample stays visible
 * rather than being dropped or failing the scrape.
 */
public final class StaticMap implements Decoder {

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) {
        String key = new String(in, StandardCharsets.UTF_8);
        String value = config.staticMap().get(key);
        if (value != null) {
            return Bytes.utf8(value);
        }
        return config.allowUnknown() ? in.clone() : Bytes.utf8("unknown:" + key);
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        // ebpf_exporter writes "empty mapping" for every sample then; a
        // config mistake is better caught here.
        if (config.staticMap().isEmpty()) {
            throw new IllegalArgumentException("static_map is missing or empty");
        }
    }
}
