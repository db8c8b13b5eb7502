package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Loopback;
import org.junit.jupiter.api.Test;

class ProgramInfoTest {

    @Test
    void infoMatchesBpftoolAndStatsCountRuns() {
        try (BpfObject obj = BpfObject.openResource("/bpfwatch/configs/kfree_skb_drops.bpf.o");
             BpfStats stats = BpfStats.enable()) {
            obj.load();
            BpfProgram prog = obj.program("count_drop").orElseThrow();
            prog.attach();
            Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 50, 8);
            ProgramInfo info = prog.info();
            String shown = Bpftool.run("prog", "show", "id", Integer.toString(info.id()));
            assertTrue(shown.contains("name count_drop"), shown);
            assertTrue(shown.contains("tag " + info.tag()), shown);
            assertEquals("count_drop", info.name());
            assertTrue(info.runCount() >= 50, "ran at least once per drop: " + info.runCount());
            assertTrue(info.runTimeNs() > 0);
        }
    }
}
