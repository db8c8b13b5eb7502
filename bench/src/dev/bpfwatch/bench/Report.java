package dev.bpfwatch.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a run measured, section by section, written as BENCHMARKS.md. */
final class Report {
    /** One figure beside its baseline; met is null where there is no target. */
    record Row(String what, String figure, String baseline, String ratio, String target, Boolean met) {
    }

    static final class Section {
        final String title;
        final List<String> method = new ArrayList<>();
        final List<Row> rows = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        String error;

        Section(String title) {
            this.title = title;
        }

        Section method(String text) {
            method.add(text);
            return this;
        }

        Section row(String what, String figure, String baseline, String ratio, String target, Boolean met) {
            rows.add(new Row(what, figure, baseline, ratio, target, met));
            return this;
        }

        Section note(String text) {
            notes.add(text);
            return this;
        }
    }

    private final Map<String, Section> sections = new LinkedHashMap<>();
    private final List<String> header = new ArrayList<>();
    private final List<String> closing = new ArrayList<>();

    Section section(String title) {
        return sections.computeIfAbsent(title, Section::new);
    }

    void header(String line) {
        header.add(line);
    }

    void closing(String line) {
        closing.add(line);
    }

    List<Section> sections() {
        return List.copyOf(sections.values());
    }

    static String ratio(double figure, double baseline) {
        return String.format("%.2fx", figure / baseline);
    }

    static String mark(Boolean met) {
        return met == null ? "" : met ? "met" : "**missed**";
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Benchmarks\n\n");
        b.append("Written by `make bench` (issue 7) from one run on this machine; do not edit by hand. ")
                .append("Every figure stands beside a baseline measured in the same run, so the ratios hold ")
                .append("even though the machine is shared and other work disturbs the absolute numbers.\n\n");
        header.forEach(h -> b.append("- ").append(h).append('\n'));
        b.append('\n');
        int i = 1;
        for (Section s : sections.values()) {
            b.append("## ").append(i++).append(". ").append(s.title).append("\n\n");
            if (!s.rows.isEmpty()) {
                b.append("| measurement | bpfwatch | baseline (same run) | ratio | target | |\n");
                b.append("| --- | --- | --- | --- | --- | --- |\n");
                for (Row r : s.rows) {
                    b.append("| ").append(r.what).append(" | ").append(r.figure).append(" | ").append(r.baseline)
                            .append(" | ").append(r.ratio).append(" | ").append(r.target).append(" | ")
                            .append(mark(r.met)).append(" |\n");
                }
                b.append('\n');
            }
            if (s.error != null) {
                b.append("**Not measured in this run:** ").append(s.error).append("\n\n");
            }
            if (!s.notes.isEmpty()) {
                s.notes.forEach(n -> b.append("- ").append(n).append('\n'));
                b.append('\n');
            }
            if (!s.method.isEmpty()) {
                b.append("How it was measured:\n\n");
                s.method.forEach(m -> b.append("- ").append(m).append('\n'));
                b.append('\n');
            }
        }
        b.append("## Closing note\n\n");
        closing.forEach(c -> b.append(c).append("\n\n"));
        return b.toString();
    }

    void write(Path out) {
        try {
            Files.writeString(out, markdown());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
