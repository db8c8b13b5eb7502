package dev.bpfwatch.libbpf;

import java.util.List;
import java.util.Optional;

/**
 * Section names in ebpf_exporter's forms that libbpf 1.1 does not know, so
 * configs written for ebpf_exporter load here too: {@code perf_event/type=T,...}
 * and {@code xdp/<interface>}; and one libbpf knows but means something else
 * here, {@code uprobe//proc/self/exe:post_attach_mark}. libbpf leaves such a program without a type
 * (load would fail) and cannot attach it; bpfwatch sets the type before load
 * and attaches it itself. ebpf_exporter registers libbpf prog handlers
 * instead; their attach callback returns one link, and a perf_event program
 * needs one per CPU, so bpfwatch keeps this on its side of the binding.
 */
sealed interface ExporterSection permits PerfEventSection, XdpSection, PostAttachMark {
    int BPF_PROG_TYPE_UNSPEC = 0;

    /** What libbpf would have set, had it known the section. */
    int programType();

    int expectedAttachType();

    /** The native links of one attachment; the caller wraps them in one {@link BpfLink}. */
    List<jnr.ffi.Pointer> attach(BpfProgram program);

    /**
     * The section's meaning when it is one of these forms.
     *
     * @param libbpfType the type libbpf gave the program at open (UNSPEC: section unknown to it)
     * @throws IllegalArgumentException for a malformed section of these forms, saying what is wrong
     */
    static Optional<ExporterSection> of(String section, int libbpfType) {
        if (section.equals(PostAttachMark.SECTION)) {
            return Optional.of(new PostAttachMark());
        }
        if (section.startsWith(PerfEventSection.PREFIX)) {
            return Optional.of(PerfEventSection.parse(section));
        }
        // xdp/devmap, xdp/cpumap and the like are libbpf's own: only unknown xdp/ sections name an interface.
        if (section.startsWith(XdpSection.PREFIX) && libbpfType == BPF_PROG_TYPE_UNSPEC) {
            return Optional.of(XdpSection.parse(section));
        }
        return Optional.empty();
    }
}
