package dev.bpfwatch.deploy;

import dev.bpfwatch.testing.RepoFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** deploy/grafana/bpfwatch-dashboard.json read as tests need it. */
final class Dashboard {
    private Dashboard() {
    }

    /** Every panel, those nested in collapsed rows too. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> panels() {
        Map<String, Object> d = RepoFiles.yaml(RepoFiles.read("deploy/grafana/bpfwatch-dashboard.json"));
        List<Map<String, Object>> all = new ArrayList<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) d.get("panels")) {
            all.add(p);
            Object nested = p.get("panels");
            if (nested instanceof List<?> l) {
                l.forEach(n -> all.add((Map<String, Object>) n));
            }
        }
        return all;
    }

    /** Grafana's variables replaced as Grafana would for "All" over a short range. */
    static String expand(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$__range", "5m")
                .replace("$instance", ".*").replace("${instance}", ".*");
    }
}
