package dev.bpfwatch.agent;

import static dev.bpfwatch.http.Html.escape;

import dev.bpfwatch.config.BoundMetric;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.LibbpfException;
import java.util.List;
import java.util.Map;

/** The page at /: what runs, where it is attached, how full its maps are. */
final class LandingPage {
    private LandingPage() {
    }

    static String render(String telemetryPath, List<ConfigModule> configs, List<Module> others,
                         Map<String, String> failures) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>bpfwatch</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style></head><body>")
                .append("<h1>bpfwatch</h1><p><a href=\"").append(escape(telemetryPath)).append("\">Metrics</a> · ")
                .append("<a href=\"/-/healthy\">Health</a></p>");
        if (!failures.isEmpty()) {
            h.append("<h2>Failed configs</h2><table><tr><th>config</th><th>error</th></tr>");
            failures.forEach((name, error) -> h.append("<tr><td>").append(escape(name)).append("</td><td>")
                    .append(escape(error)).append("</td></tr>"));
            h.append("</table>");
        }
        h.append("<h2>Programs</h2><table><tr><th>config</th><th>program</th><th>section</th><th>attached</th>")
                .append("<th>run count</th></tr>");
        for (ConfigModule c : configs) {
            c.programs().forEach((name, state) -> {
                String runs;
                try {
                    runs = Long.toString(state.program().info().runCount());
                } catch (LibbpfException | IllegalStateException e) {
                    runs = "-";
                }
                h.append("<tr><td>").append(escape(c.name())).append("</td><td>").append(escape(name))
                        .append("</td><td>").append(escape(state.program().section())).append("</td><td>")
                        .append(state.attached() ? "yes" : escape("no: " + state.error())).append("</td><td>")
                        .append(runs).append("</td></tr>");
            });
        }
        h.append("</table><h2>Maps</h2><table><tr><th>config</th><th>map</th><th>type</th><th>entries</th>")
                .append("<th>max entries</th></tr>");
        for (ConfigModule c : configs) {
            Map<String, Integer> seen = c.collector().lastEntries();
            for (BpfMap m : c.object().maps()) {
                h.append("<tr><td>").append(escape(c.name())).append("</td><td>").append(escape(m.name()))
                        .append("</td><td>").append(m.type()).append("</td><td>")
                        .append(seen.containsKey(m.name()) ? seen.get(m.name()).toString() : "-")
                        .append("</td><td>").append(m.maxEntries()).append("</td></tr>");
            }
        }
        h.append("</table><h2>Metrics</h2><ul>");
        for (ConfigModule c : configs) {
            for (BoundMetric m : c.collector().metrics()) {
                h.append("<li>").append(escape(m.spec().name())).append(" (").append(m.spec().kind().name()
                        .toLowerCase()).append(", ").append(escape(c.name())).append("): ")
                        .append(escape(m.spec().help())).append("</li>");
            }
        }
        for (Module m : others) {
            h.append("<li>module ").append(escape(m.name())).append("</li>");
        }
        return h.append("</ul></body></html>\n").toString();
    }
}
