package dev.bpfwatch.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** 500ms, 2s, 1m, or plain seconds (2, 0.5), as people type intervals. */
final class IntervalConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");

    @Override
    public Duration convert(String value) {
        Matcher m = FORM.matcher(value.strip());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "': expected a duration like 500ms, 2s or 1m");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            default -> n * 1000;
        };
        if (millis < 1 || millis > 3_600_000) {
            throw new CommandLine.TypeConversionException("'" + value + "': must be between 1ms and 1h");
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
