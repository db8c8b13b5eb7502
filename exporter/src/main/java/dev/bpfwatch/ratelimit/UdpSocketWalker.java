package dev.bpfwatch.ratelimit;

import dev.bpfwatch.agent.BundledProgram;
import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.NetworkNamespace;
import dev.bpfwatch.libbpf.UdpSocket;
import dev.bpfwatch.sockets.NetnsFinder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The udp_sockets iter/udp program: every UDP socket of a network namespace
 * with the id of the program attached to it as a socket filter. Kernel
 * truth about where filters are, rather than bpfwatch's own notes in
 * udprl_sockets: a restarted server's new socket, or a filter someone else
 * put over ours, shows here. Closing takes the program out of the kernel.
 */
public final class UdpSocketWalker implements AutoCloseable {
    static final String PROGRAM = "udp_sockets";
    private static final Logger LOG = Logger.getLogger(UdpSocketWalker.class.getName());

    private final BundledProgram program;
    private final BpfLink iterator;
    private final NetnsFinder namespaces;

    private UdpSocketWalker(BundledProgram program, BpfLink iterator, NetnsFinder namespaces) {
        this.program = program;
        this.iterator = iterator;
        this.namespaces = namespaces;
    }

    /** @throws LibbpfException when this kernel cannot load or attach iter/udp (before Linux 5.9) */
    public static UdpSocketWalker load() {
        BundledProgram program = BundledProgram.loadAndAttach(PROGRAM);
        try {
            BpfLink link = program.attachIterator("dump_udp_sockets");
            return new UdpSocketWalker(program, link, new NetnsFinder());
        } catch (RuntimeException e) {
            program.close();
            throw e;
        }
    }

    /** The UDP sockets of the netns behind {@code nsFile}: the iterator is created by a thread inside it. */
    public List<UdpSocketRecord> walk(Path nsFile) {
        return NetworkNamespace.call(nsFile, () -> UdpSocketRecord.decode(iterator.readIterator()));
    }

    /**
     * Every UDP socket on the host, by inode (inodes of sockets are unique
     * host-wide): each network namespace in use walked once. A namespace
     * that goes away while we look is skipped, never the whole walk.
     */
    public synchronized Map<Long, UdpSocketRecord> walkHost() {
        Map<Long, UdpSocketRecord> out = new LinkedHashMap<>();
        for (Map.Entry<Long, Path> ns : namespaces.find().entrySet()) {
            try {
                for (UdpSocketRecord r : walk(ns.getValue())) {
                    out.putIfAbsent(r.inode(), r);
                }
            } catch (LibbpfException e) {
                LOG.log(Level.FINE, "netns " + ns.getKey() + " not walked: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "netns " + ns.getKey() + " not walked: " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * The kernel's record of one socket we hold a duplicate of, walked in
     * the socket's own namespace (SIOCGSKNS): exact even where no process
     * or `ip netns` name keeps that namespace findable.
     */
    public Optional<UdpSocketRecord> of(UdpSocket socket) {
        return socket.inItsNetns(() -> UdpSocketRecord.decode(iterator.readIterator())).stream()
                .filter(r -> r.inode() == socket.inode()).findFirst();
    }

    /** The iterator program, for self-metrics. */
    public List<dev.bpfwatch.agent.ModuleProgram> programs() {
        return program.programs();
    }

    @Override
    public void close() {
        program.close();
    }
}
