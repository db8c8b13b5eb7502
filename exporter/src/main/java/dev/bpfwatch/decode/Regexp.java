package dev.bpfwatch.decode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code regexp}: keeps the sample if any of the config's patterns matches
 * somewhere in the input and skips it otherwise (null, not an error). Like
 * Go's MatchString the match is unanchored: configs anchor with ^ and $
 * themselves. Patterns are Java regular expressions; the RE2 syntax
 * ebpf_exporter configs use is, for what configs write, a subset of it.
 */
public final class Regexp implements Decoder {
    private final Map<String, Pattern> compiled = new ConcurrentHashMap<>();

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        List<String> patterns = config.regexps();
        if (patterns.isEmpty()) {
            throw new DecoderException("no regexps configured");
        }
        String text = new String(in, StandardCharsets.UTF_8);
        for (String p : patterns) {
            if (pattern(p).matcher(text).find()) {
                return in;
            }
        }
        return null;
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        if (config.regexps().isEmpty()) {
            throw new IllegalArgumentException("regexps is missing or empty");
        }
        for (String p : config.regexps()) {
            try {
                Pattern.compile(p);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("bad regexp '" + p + "': " + e.getDescription());
            }
        }
    }

    private Pattern pattern(String p) throws DecoderException {
        Pattern cached = compiled.get(p);
        if (cached != null) {
            return cached;
        }
        try {
            Pattern fresh = Pattern.compile(p);
            compiled.put(p, fresh);
            return fresh;
        } catch (PatternSyntaxException e) {
            throw new DecoderException("bad regexp '" + p + "': " + e.getDescription());
        }
    }
}
