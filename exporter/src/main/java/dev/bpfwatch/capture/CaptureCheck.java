package dev.bpfwatch.capture;

import dev.bpfwatch.pcap.ClassicInstruction;
import java.util.List;

/** Translation without the kernel: a filter the translator refuses is refused before anything is loaded. */
public final class CaptureCheck {
    private CaptureCheck() {
    }

    /** @throws dev.bpfwatch.pcap.FilterException naming the first instruction the translator refuses */
    public static void translatable(List<ClassicInstruction> filter, int snaplen) {
        CaptureProgram.build(filter, XdpAction.PASS, snaplen);
    }

    /** Per action, the id of the program in its slot (0 for an empty slot): what --check shows. */
    public static String slots(Hook hook) {
        StringBuilder sb = new StringBuilder();
        for (XdpAction a : XdpAction.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(a.label()).append(' ')
                    .append(hook.occupant(a).map(id -> "program " + id).orElse("empty"));
        }
        return sb.toString();
    }
}
