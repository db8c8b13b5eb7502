package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoFloatTest {
    /** Expected values are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints. */
    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1, 1",
            "128, 128",
            "0.5, 0.5",
            "0.001, 0.001",
            "0.0001, 0.0001",
            "0.00001, 1e-05",
            "0.000001, 1e-06",
            "0.000128, 0.000128",
            "100000, 100000",
            "1000000, 1e+06",
            "1048576, 1.048576e+06",
            "67108864, 6.7108864e+07",
            "2.5, 2.5",
            "123.456, 123.456",
            "-3, -3",
            "1e21, 1e+21",
            "1.5e-10, 1.5e-10",
    })
    void formatsLikeGo(double value, String expected) {
        assertEquals(expected, GoFloat.format(value));
    }

    @Test
    void infinity() {
        assertEquals("+Inf", GoFloat.format(Double.POSITIVE_INFINITY));
    }
}
