package dev.bpfwatch.sockets;

import dev.bpfwatch.agent.BundledProgram;
import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.NetworkNamespace;
import java.nio.file.Path;
import java.util.List;

/**
 * The tcp_listeners iter/tcp program, attached once; each {@link #walk}
 * creates a fresh iterator inside one network namespace and decodes what
 * it wrote. Closing takes the program out of the kernel.
 */
public final class ListenerWalker implements AutoCloseable {
    static final String PROGRAM = "tcp_listeners";

    private final BundledProgram program;
    private final BpfLink iterator;

    private ListenerWalker(BundledProgram program, BpfLink iterator) {
        this.program = program;
        this.iterator = iterator;
    }

    public static ListenerWalker load() {
        BundledProgram program = BundledProgram.loadAndAttach(PROGRAM);
        try {
            BpfLink link = program.attachIterator("dump_tcp_listeners");
            return new ListenerWalker(program, link);
        } catch (RuntimeException e) {
            program.close();
            throw e;
        }
    }

    /** The listeners of the netns behind {@code nsFile}: the iterator is created by a thread inside it. */
    public List<ListenerRecord> walk(Path nsFile) {
        return NetworkNamespace.call(nsFile, () -> ListenerRecordDecoder.decode(iterator.readIterator()));
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
