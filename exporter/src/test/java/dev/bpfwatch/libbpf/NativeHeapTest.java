package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.testing.ChildProcess;
import dev.bpfwatch.testing.Command;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After {@link NativeHeap#mapLargeBlocks}, a large block gets a mapping of its own (and goes
 * back to the kernel when freed) even after a larger one was freed, which by glibc's default
 * raises the threshold past it: the pattern of the agent's start, where the kernel's BTF is
 * parsed and freed several times. Each case runs in a fresh JVM ({@link LargeBlockCheck}):
 * in this one, free chunks left by other tests could serve the block either way.
 */
class NativeHeapTest {
    @Test
    void aLargeBlockIsMappedEvenAfterALargerOneWasFreed() {
        assertEquals(List.of("mallopt true", "large mapped true", "small mapped false"), run("map"));
    }

    @Test
    void byGlibcsDefaultItIsNot() {
        assertEquals(List.of("large mapped false", "small mapped false"), run("default"),
                "the case above would pass without NativeHeap");
    }

    private static List<String> run(String mode) {
        Command c = Command.run(ChildProcess.javaCommand(List.of(), LargeBlockCheck.class.getName(), mode));
        assertEquals(0, c.exit(), c.err());
        return c.out().lines().toList();
    }
}
