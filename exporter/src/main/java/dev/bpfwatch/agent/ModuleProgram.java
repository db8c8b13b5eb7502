package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.ProgramInfo;

/**
 * A program a code module runs, as bpfwatch_ebpf_program_* report it:
 * the built-in modules cost CPU and can fail to attach like any config's
 * programs, so they are accounted for the same way.
 *
 * @param info what the kernel says of it now (id, tag, run time)
 */
public record ModuleProgram(String name, String section, boolean attached, ProgramInfo info) {
}
