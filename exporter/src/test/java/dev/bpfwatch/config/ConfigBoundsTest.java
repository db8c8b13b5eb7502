package dev.bpfwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Configs that are syntactically fine but would take the agent down or mean
 * something else than written: refused at parse time, naming file:line.
 */
class ConfigBoundsTest {
    private static ConfigSpec parse(InputStream in) {
        return ConfigParser.parse("t", "t.yaml", in);
    }

    private static ConfigSpec parse(String yaml) {
        return parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    private static String good(String from, String to) {
        assertTrue(ConfigValidationTest.GOOD.contains(from), from);
        return ConfigValidationTest.GOOD.replaceFirst(Pattern.quote(from), to);
    }

    @Test
    void linearHistogramBucketsAreBounded() {
        String linear = good("bucket_type: exp2", "bucket_type: linear");
        // Two billion buckets ran `check` out of memory after 57 s; now it is one line at once.
        assertEquals("t.yaml:24: histogram 'udp_drop_size_bytes': bucket_min 0 to bucket_max 2000000000 is "
                + "2000000001 buckets, more than 4096", error(linear.replace("bucket_max: 16", "bucket_max: 2000000000")));
        assertEquals("t.yaml:24: histogram 'udp_drop_size_bytes': bucket_min 0 to bucket_max 4096 is 4097 buckets, "
                + "more than 4096", error(linear.replace("bucket_max: 16", "bucket_max: 4096")));
        assertEquals(4096, parse(linear.replace("bucket_max: 16", "bucket_max: 4095")).metrics().get(1)
                .histogram().indexes().size(), "the largest allowed");
    }

    @Test
    void integersThatDoNotFitAreRefusedNotCut() {
        // 4294967304 is 2^32 + 8: cut to an int it was 8, and 4294967300 was 4.
        assertEquals("t.yaml:24: bucket_max must be between 0 and 2147483647, got 4294967304",
                error(good("bucket_max: 16", "bucket_max: 4294967304")));
        assertEquals("t.yaml:7: size must be between 0 and 65535, got 4294967300",
                error(good("size: 4", "size: 4294967300")));
        assertEquals("t.yaml:16: padding must be between 0 and 65535, got -1",
                error(good("padding: 1", "padding: -1")));
        assertEquals("t.yaml:23: bucket_min must be between 0 and 2147483647, got 2147483648",
                error(good("bucket_min: 0", "bucket_min: 2147483648")));
    }

    @Test
    void oversizedFileIsRefusedBeforeParsing() {
        // A 5 MB scalar took 13 s to reject and 50 MB never finished: the size is checked first.
        for (int megabytes : new int[] {5, 50}) {
            String message = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> assertThrows(
                    ConfigException.class, () -> parse(withLongHelp(megabytes << 20))).getMessage());
            assertEquals("t.yaml: larger than 262144 bytes, the limit for a config", message);
        }
    }

    @Test
    void fileJustUnderTheLimitStillParses() {
        InputStream in = withLongHelp(YamlNode.MAX_FILE_BYTES - ConfigValidationTest.GOOD.length());
        ConfigSpec spec = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> parse(in));
        assertEquals(YamlNode.MAX_FILE_BYTES - ConfigValidationTest.GOOD.length(), spec.metrics().get(0).help().length());
    }

    /** The good config with the help of its first counter made {@code n} bytes long, streamed, not held. */
    private static InputStream withLongHelp(int n) {
        String[] parts = ConfigValidationTest.GOOD.split("help: drops", 2);
        InputStream filler = new InputStream() {
            int left = n;

            @Override
            public int read() {
                return left-- > 0 ? 'a' : -1;
            }
        };
        return new SequenceInputStream(new SequenceInputStream(
                new ByteArrayInputStream((parts[0] + "help: ").getBytes(StandardCharsets.UTF_8)), filler),
                new ByteArrayInputStream(parts[1].getBytes(StandardCharsets.UTF_8)));
    }
}
