package dev.bpfwatch.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.testing.Bpftool;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DropReasonsTest {

    @Test
    void namesMatchWhatBpftoolReadsFromTheSameBtf() {
        DropReasons reasons;
        try (KernelBtf btf = KernelBtf.load()) {
            reasons = DropReasons.fromKernel(btf);
        }
        String dump = Bpftool.run("btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c");
        Matcher block = Pattern.compile("enum skb_drop_reason \\{(.*?)\\};", Pattern.DOTALL).matcher(dump);
        assertTrue(block.find(), "bpftool shows enum skb_drop_reason");
        // A few enumerators (SKB_NOT_DROPPED_YET, SKB_CONSUMED) lack the prefix: they keep their whole name.
        Matcher entry = Pattern.compile("(SKB_\\w+) = (\\d+)").matcher(block.group(1));
        int checked = 0;
        while (entry.find()) {
            String expected = entry.group(1).replaceFirst("^SKB_DROP_REASON_", "");
            assertEquals(expected, reasons.name(Long.parseLong(entry.group(2))));
            checked++;
        }
        assertTrue(checked > 50, "a 6.x kernel has dozens of drop reasons, saw " + checked);
        assertEquals(checked, reasons.size());
    }

    @Test
    void unknownNumbersStayVisibleAndAliasesKeepTheFirstName() {
        Map<String, Long> e = new LinkedHashMap<>();
        e.put("SKB_DROP_REASON_NOT_SPECIFIED", 2L);
        e.put("SKB_DROP_REASON_NO_SOCKET", 3L);
        e.put("SKB_DROP_REASON_NO_SOCKET_ALIAS", 3L);
        DropReasons reasons = new DropReasons(e);
        assertEquals("NO_SOCKET", reasons.name(3));
        assertEquals("UNKNOWN_77", reasons.name(77));
        assertEquals(3, reasons.value("SKB_DROP_REASON_NO_SOCKET"));
        assertThrows(IllegalArgumentException.class, () -> reasons.value("NOPE"));
    }
}
