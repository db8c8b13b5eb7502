package dev.bpfwatch.libbpf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;

/**
 * {@code perf_event/type=T,config=C,frequency=F} (ebpf_exporter's form) or
 * {@code perf_event/type=T,config=C,sample_period=N}: a perf event of that
 * type and config on every online CPU, each running the program on overflow.
 * Numbers are decimal or 0x-hex. Either frequency (samples a second) or
 * sample_period (events between samples) is required: without one the event
 * would count but never run the program.
 */
record PerfEventSection(int type, long config, long frequency, long samplePeriod) implements ExporterSection {
    static final String PREFIX = "perf_event/";
    static final String EXPECTED = "expected perf_event/type=T,config=C,frequency=F or "
            + "perf_event/type=T,config=C,sample_period=N";
    private static final int BPF_PROG_TYPE_PERF_EVENT = 7;

    static PerfEventSection parse(String section) {
        Map<String, Long> items = new LinkedHashMap<>();
        for (String item : section.substring(PREFIX.length()).split(",", -1)) {
            String[] kv = item.split("=", 2);
            String key = kv[0];
            if (kv.length != 2 || key.isEmpty()) {
                throw bad(section, "'" + item + "' is not key=value");
            }
            if (!List.of("type", "config", "frequency", "sample_period").contains(key)) {
                throw bad(section, "unknown key '" + key + "'");
            }
            if (items.put(key, number(section, key, kv[1])) != null) {
                throw bad(section, "'" + key + "' given twice");
            }
        }
        for (String required : List.of("type", "config")) {
            if (!items.containsKey(required)) {
                throw bad(section, "'" + required + "' missing");
            }
        }
        if (items.containsKey("frequency") == items.containsKey("sample_period")) {
            throw bad(section, "give one of 'frequency' and 'sample_period'");
        }
        long type = items.get("type");
        if (type > 0xffffffffL) {
            throw bad(section, "type " + type + " is more than 32 bits");
        }
        long frequency = items.getOrDefault("frequency", 0L);
        long period = items.getOrDefault("sample_period", 0L);
        if (frequency == 0 && period == 0) {
            throw bad(section, (items.containsKey("frequency") ? "frequency" : "sample_period") + " must be above 0");
        }
        return new PerfEventSection((int) type, items.get("config"), frequency, period);
    }

    private static long number(String section, String key, String text) {
        try {
            return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw bad(section, key + " '" + text + "' is not a number");
        }
    }

    private static IllegalArgumentException bad(String section, String what) {
        return new IllegalArgumentException("section '" + section + "': " + what + " (" + EXPECTED + ")");
    }

    @Override
    public int programType() {
        return BPF_PROG_TYPE_PERF_EVENT;
    }

    @Override
    public int expectedAttachType() {
        return 0; // as libbpf's own SEC("perf_event"): kernels before 5.15 have no BPF_PERF_EVENT
    }

    /**
     * One event per online CPU, each attached. A failure on any CPU undoes
     * the CPUs done so far: an attachment is on every CPU or on none.
     */
    @Override
    public List<Pointer> attach(BpfProgram program) {
        List<Pointer> links = new ArrayList<>();
        try {
            for (int cpu : Cpus.online()) {
                int fd = PerfEventOpen.open(this, cpu, program);
                Pointer link = Native.BPF.bpf_program__attach_perf_event(program.handle(), fd);
                int err = Native.errno();
                if (link == null) {
                    Native.LIBC.close(fd);
                    throw new LibbpfException("attach " + program.name() + " (" + program.section() + ") on CPU " + cpu,
                            err);
                }
                links.add(link); // owns fd now
            }
            return links;
        } catch (RuntimeException e) {
            links.forEach(Native.BPF::bpf_link__destroy);
            throw e;
        }
    }
}
