package dev.bpfwatch.sockets;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The samples of one scrape of a module's collectors, found by a few of their labels. */
final class ListenerSamples {
    private final List<Sample> samples = new ArrayList<>();

    ListenerSamples(List<Collector> collectors) {
        for (Collector c : collectors) {
            for (Collector.MetricFamilySamples f : c.collect()) {
                samples.addAll(f.samples);
            }
        }
    }

    /** The samples named {@code name} whose labels include every pair of {@code labels}. */
    List<Map<String, String>> find(String name, Map<String, String> labels) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Sample s : samples) {
            if (!s.name.equals(name)) {
                continue;
            }
            Map<String, String> l = labels(s);
            if (l.entrySet().containsAll(labels.entrySet())) {
                l.put("__value", Double.toString(s.value));
                out.add(l);
            }
        }
        return out;
    }

    /** The one sample matching; fails when there is none or more than one. */
    Map<String, String> one(String name, Map<String, String> labels) {
        List<Map<String, String>> found = find(name, labels);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples " + name + labels + ", expected one: " + found);
        }
        return found.get(0);
    }

    double value(String name, Map<String, String> labels) {
        return Double.parseDouble(one(name, labels).get("__value"));
    }

    int count(String name) {
        return (int) samples.stream().filter(s -> s.name.equals(name)).count();
    }

    private static Map<String, String> labels(Sample s) {
        Map<String, String> l = new HashMap<>();
        for (int i = 0; i < s.labelNames.size(); i++) {
            l.put(s.labelNames.get(i), s.labelValues.get(i));
        }
        return l;
    }
}
