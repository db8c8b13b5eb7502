package dev.bpfwatch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * Groups the UDP rate-limit filter commands (attach, detach, set, status: registered by
 * BpfwatchCommand, only the one a command line names). Its exit-code list is inherited
 * (scope INHERIT): every subcommand exits the same way, and attributes a
 * subcommand sets itself (description, footer) still win.
 */
@Command(name = "udp-limit", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        description = "Per-destination-IP rate limits on UDP sockets: an eBPF socket filter (SO_ATTACH_BPF) "
                + "pinned under /sys/fs/bpf/bpfwatch/udp-limit/NAME, so it keeps working after bpfwatch exits.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:failure at run time (kernel refused)",
                "2:bad input (no such process, no UDP socket there, no permission, bad rate/burst)"})
final class UdpLimitCommand {
}
