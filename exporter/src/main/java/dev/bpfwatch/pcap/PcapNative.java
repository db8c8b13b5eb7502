package dev.bpfwatch.pcap;

import jnr.ffi.Pointer;

/**
 * The libpcap functions bpfwatch calls: only what compiling a filter on a
 * dead handle needs (no capture, no devices). Public because jnr-ffi
 * generates its implementation in another class loader; {@link Libpcap} is
 * package-private, so pointers never leave this package.
 */
public interface PcapNative {
    Pointer pcap_open_dead(int linktype, int snaplen);

    /** @return 0, or PCAP_ERROR (-1) with the reason in {@link #pcap_geterr} */
    int pcap_compile(Pointer pcap, Pointer program, String expression, int optimize, int netmask);

    String pcap_geterr(Pointer pcap);

    void pcap_freecode(Pointer program);

    void pcap_close(Pointer pcap);
}
