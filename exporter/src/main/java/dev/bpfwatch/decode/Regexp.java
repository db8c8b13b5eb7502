package dev.bpfwatch.decode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code regexp}: the first of the config's patterns that matches somewhere
 * in the input gives the label: its first capture group when it has one
 * ({@code ^(kswapd).*$} turns "kswapd0" into "kswapd"), otherwise the text it
 * matched, as ebpf_exporter does. When none matches the sample is skipped
 * (null, not an error). The match is unanchored, like Go's: configs anchor
 * with ^ and $ themselves. Patterns are Java regular expressions; the RE2
 * syntax ebpf_exporter configs use is, for what configs write, a subset of it.
 *
 * <p>A pattern with several groups also gives its first group; ebpf_exporter
 * treats such a pattern as not matching, which silently drops samples.
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
            Matcher m = pattern(p).matcher(text);
            if (m.find()) {
                // A group that took no part in the match (an optional one) gives "", as in Go.
                String label = m.groupCount() == 0 ? m.group() : m.group(1);
                return Bytes.utf8(label == null ? "" : label);
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
