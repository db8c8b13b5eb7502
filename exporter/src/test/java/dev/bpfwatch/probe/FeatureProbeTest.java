package dev.bpfwatch.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FeatureProbeTest {

    @Test
    void hooksBundledProgramsNeedAreAvailable() {
        FeatureReport r = FeatureProbe.report();
        for (String type : new String[] {"tracepoint", "raw_tp", "tp_btf", "iter/tcp", "iter/udp", "socket filter"}) {
            assertTrue(r.attachAvailable(type), type + ": " + r.attachTypes().get(type));
        }
        assertTrue(r.btf());
        assertTrue(r.bpffs().available(), r.bpffs().detail());
    }

    @Test
    void kprobeVerdictAgreesWithTheKernelsPerfEventSources() {
        // Independent witness: kprobes exist iff the kernel offers a kprobe PMU or tracefs kprobe_events.
        boolean kernelHasKprobes = Files.exists(Path.of("/sys/bus/event_source/devices/kprobe"))
                || Files.exists(Path.of("/sys/kernel/tracing/kprobe_events"));
        Feature kprobe = FeatureProbe.report().attachTypes().get("kprobe");
        assertEquals(kernelHasKprobes, kprobe.available(), kprobe.toString());
        if (!kprobe.available()) {
            assertEquals(Feature.Status.NOT_SUPPORTED, kprobe.status());
        }
    }

    @Test
    void reportNamesEveryAttachType() {
        String text = FeatureProbe.report().describe();
        FeatureProbe.attachTypes().forEach(t -> assertTrue(text.contains(t), t + " in " + text));
    }

    @Test
    void probesLoadedTogetherAnswerAsEachAloneAndARefusalFallsBack() throws Exception {
        byte[] elf;
        try (java.io.InputStream in = FeatureProbe.class.getResourceAsStream(FeatureProbe.PROBE_OBJECT)) {
            elf = in.readAllBytes();
        }
        java.util.Map<String, Feature> together = FeatureProbe.tryTogether(elf, FeatureProbe.BY_BTF_ID).orElseThrow();
        for (String program : FeatureProbe.BY_BTF_ID) {
            assertEquals(FeatureProbe.tryAttach(elf, program).toString(), together.get(program).toString(), program);
        }
        java.util.List<String> withFentry = new java.util.ArrayList<>(FeatureProbe.BY_BTF_ID);
        withFentry.add("probe_fentry");
        boolean fentryLoads = !FeatureProbe.tryAttach(elf, "probe_fentry").detail().startsWith("load:");
        assertEquals(fentryLoads, FeatureProbe.tryTogether(elf, withFentry).isPresent(),
                "a group with a probe the kernel refuses at load is empty, so each is tried alone");
    }
}
