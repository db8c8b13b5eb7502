package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.testing.Command;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `--pcapng` to stdout (`-`), as a pipe into tcpdump gets it: tcpdump reads
 * every packet, and each packet's epb_verdict option carries the XDP action
 * the instrumented program gave it.
 */
class PcapngOutputTest {
    private static final int EPB = 6;
    private static final int EPB_VERDICT = 6;
    private static final int VERDICT_XDP = 2;

    @TempDir
    Path dir;

    @Test
    void verdictsTravelWithEachPacket() throws IOException {
        Path out;
        try (HookFixture hook = new HookFixture();
             CaptureProcess capture = CaptureProcess.start(dir, "--pcapng", "--flush", "-q", hook.pin.toString(), "-",
                     "udp")) {
            capture.awaitInserted(hook.pin, XdpAction.values());
            hook.send(HookFixture.PASS_PORT, 4, 10);
            hook.send(HookFixture.DROP_PORT, 6, 10);
            capture.signal("TERM");
            assertEquals(0, capture.waitFor(), capture.stderr());
            assertEquals("", capture.stderr(), "-q: no statistics");
            out = capture.stdout();
        }
        Command c = Tcpdump.read(out);
        assertEquals(0, c.exit(), c.err());
        assertEquals(10, c.out().lines().count());
        assertEquals(Map.of(XdpAction.DROP, 6, XdpAction.PASS, 4), verdicts(Files.readAllBytes(out)));
    }

    /** Packets per XDP verdict, from the Enhanced Packet Blocks' options. */
    static Map<XdpAction, Integer> verdicts(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        Map<XdpAction, Integer> out = new TreeMap<>();
        for (int at = 0; at < file.length; ) {
            int type = b.getInt(at);
            int length = b.getInt(at + 4);
            if (type == EPB) {
                int captured = b.getInt(at + 20);
                int option = at + 28 + ((captured + 3) & ~3);
                while (option < at + length - 4 && b.getShort(option) != 0) {
                    int code = b.getShort(option);
                    int optionLength = b.getShort(option + 2);
                    if (code == EPB_VERDICT && b.get(option + 4) == VERDICT_XDP) {
                        out.merge(XdpAction.of((int) b.getLong(option + 5)), 1, Integer::sum);
                    }
                    option += 4 + ((optionLength + 3) & ~3);
                }
            }
            at += length;
        }
        return out;
    }
}
