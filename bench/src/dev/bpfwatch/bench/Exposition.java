package dev.bpfwatch.bench;

/** A minimal parser of the text exposition format: what a scraper does with every line. */
final class Exposition {
    private Exposition() {
    }

    /** Parses every sample line (name, label pairs, value) and counts those named {@code metric}. */
    static int count(String body, String metric) {
        int count = 0;
        int pos = 0;
        int len = body.length();
        double sink = 0;
        while (pos < len) {
            int end = body.indexOf('\n', pos);
            if (end < 0) {
                end = len;
            }
            if (end > pos && body.charAt(pos) != '#') {
                int brace = body.indexOf('{', pos);
                int nameEnd;
                int valueStart;
                if (brace >= 0 && brace < end) {
                    nameEnd = brace;
                    int close = parseLabels(body, brace + 1, end);
                    valueStart = close + 2;
                } else {
                    nameEnd = body.indexOf(' ', pos);
                    valueStart = nameEnd + 1;
                }
                int valueEnd = body.indexOf(' ', valueStart);
                if (valueEnd < 0 || valueEnd > end) {
                    valueEnd = end;
                }
                sink += Double.parseDouble(body.substring(valueStart, valueEnd));
                if (body.startsWith(metric, pos) && nameEnd - pos == metric.length()) {
                    count++;
                }
            }
            pos = end + 1;
        }
        if (Double.isNaN(sink)) {
            count += 0; // keep the parse from being optimised away
        }
        return count;
    }

    /** Reads label="value" pairs up to the closing brace; returns its index. */
    private static int parseLabels(String body, int pos, int end) {
        while (pos < end && body.charAt(pos) != '}') {
            int eq = body.indexOf('=', pos);
            String name = body.substring(pos, eq);
            int q = eq + 2;
            StringBuilder v = new StringBuilder();
            while (body.charAt(q) != '"') {
                char c = body.charAt(q);
                if (c == '\\') {
                    q++;
                    c = body.charAt(q);
                }
                v.append(c);
                q++;
            }
            if (name.isEmpty() || v.length() < 0) {
                throw new IllegalStateException("bad label at " + pos);
            }
            pos = q + 1;
            if (body.charAt(pos) == ',') {
                pos++;
            }
        }
        return pos;
    }
}
