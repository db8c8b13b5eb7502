package dev.bpfwatch.cli;

import dev.bpfwatch.libbpf.CustomBtf;
import dev.bpfwatch.libbpf.LibbpfException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --btf.path for the commands that load configs (run, check): their CO-RE relocations resolve against it. */
final class BtfPathOption {
    @Option(names = "--btf.path", paramLabel = "FILE",
            description = "BTF for CO-RE relocations of the configs' programs, in place of the kernel's "
                    + "(kernels without /sys/kernel/btf/vmlinux; e.g. a BTFHub file). Default: the kernel's.")
    Path btfPath;

    /** The file, checked; null when not given. Not BTF: bad input naming the flag. */
    CustomBtf customBtf() {
        if (btfPath == null) {
            return null;
        }
        try {
            return CustomBtf.check(btfPath);
        } catch (LibbpfException e) {
            throw new UserInputException("--btf.path " + btfPath + ": " + e.getMessage());
        }
    }
}
