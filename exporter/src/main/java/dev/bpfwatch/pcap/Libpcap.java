package dev.bpfwatch.pcap;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libpcap once; a missing library or symbol fails here, on first use, with one line. */
final class Libpcap {
    static final PcapNative PCAP;
    static final Runtime RUNTIME;

    static {
        // Debian's runtime package (libpcap0.8) ships only the versioned name;
        // plain libpcap.so comes with libpcap-dev, which a capture host lacks.
        PCAP = LibraryLoader.create(PcapNative.class).failImmediately().load("libpcap.so.0.8");
        RUNTIME = Runtime.getRuntime(PCAP);
    }

    private Libpcap() {
    }
}
