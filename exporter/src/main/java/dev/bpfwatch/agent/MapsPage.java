package dev.bpfwatch.agent;

import dev.bpfwatch.metrics.RawRow;
import java.util.List;
import java.util.Map;

/**
 * The /maps debug page (--debug), in ebpf_exporter's form so what its users
 * paste in bug reports reads the same: per config a "## Config:" heading,
 * per metric map a "### Map:" heading and a fenced block with one row per
 * entry, {@code []byte{0x1, 0x0} (labels: [a b]) -> 42}.
 */
final class MapsPage {
    private MapsPage() {
    }

    static String render(List<ConfigModule> configs) {
        StringBuilder page = new StringBuilder();
        for (ConfigModule c : configs) {
            page.append("## Config: ").append(c.name()).append("\n\n");
            for (Map.Entry<String, List<RawRow>> map : c.collector().rawRows().entrySet()) {
                page.append("### Map: ").append(map.getKey()).append("\n\n```\n");
                for (RawRow row : map.getValue()) {
                    page.append(bytes(row.key())).append(" (labels: [").append(String.join(" ", row.labels()))
                            .append("]) -> ").append(String.format("%.0f", row.value())).append('\n');
                }
                page.append("```\n\n");
            }
        }
        return page.toString();
    }

    /** Bytes as Go's %#v prints a []byte: {@code []byte{0x0, 0x1f}}. */
    static String bytes(byte[] key) {
        StringBuilder s = new StringBuilder("[]byte{");
        for (int i = 0; i < key.length; i++) {
            s.append(i == 0 ? "" : ", ").append("0x").append(Integer.toHexString(key[i] & 0xff));
        }
        return s.append('}').toString();
    }
}
