package dev.bpfwatch.cli;

import picocli.CommandLine.Command;

/** Groups the UDP rate-limit filter commands. */
@Command(name = "udp-limit", mixinStandardHelpOptions = true,
        description = "Per-destination-IP rate limits on UDP sockets: an eBPF socket filter (SO_ATTACH_BPF) "
                + "pinned under /sys/fs/bpf/bpfwatch/udp-limit/NAME, so it keeps working after bpfwatch exits.",
        subcommands = {UdpLimitAttachCommand.class, UdpLimitDetachCommand.class, UdpLimitSetCommand.class,
                UdpLimitStatusCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:failure at run time (kernel refused)",
                "2:bad input (no such process, no UDP socket there, no permission, bad rate/burst)"})
final class UdpLimitCommand {
}
