package dev.bpfwatch.libbpf;

import java.util.List;
import jnr.ffi.Pointer;

/**
 * {@code xdp/<interface>} (ebpf_exporter's form): XDP on the interface of
 * that name, looked up in the network namespace of the thread that attaches
 * (interface names and indexes are per namespace). The kernel picks native
 * mode where the driver has it, generic mode otherwise.
 */
record XdpSection(String device) implements ExporterSection {
    static final String PREFIX = "xdp/";
    private static final int BPF_PROG_TYPE_XDP = 6;
    private static final int BPF_XDP = 37;
    private static final int IFNAMSIZ = 16;
    private static final int ENODEV = 19;

    static XdpSection parse(String section) {
        String device = section.substring(PREFIX.length());
        if (device.isEmpty() || device.length() >= IFNAMSIZ || !device.chars().allMatch(c -> c > ' ' && c != '/')) {
            throw new IllegalArgumentException("section '" + section + "': '" + device
                    + "' is not an interface name (expected xdp/<interface>, at most 15 characters)");
        }
        return new XdpSection(device);
    }

    @Override
    public int programType() {
        return BPF_PROG_TYPE_XDP;
    }

    @Override
    public int expectedAttachType() {
        return BPF_XDP; // as libbpf's own SEC("xdp")
    }

    @Override
    public List<Pointer> attach(BpfProgram program) {
        int ifindex = Native.LIBC.if_nametoindex(device);
        if (ifindex == 0) {
            throw new LibbpfException("attach " + program.name() + " (" + program.section() + ")", ENODEV,
                    "no interface " + device + " in this network namespace");
        }
        Pointer link = Native.BPF.bpf_program__attach_xdp(program.handle(), ifindex);
        int err = Native.errno();
        if (link == null) {
            throw new LibbpfException("attach " + program.name() + " (" + program.section() + ") to " + device, err);
        }
        return List.of(link);
    }
}
