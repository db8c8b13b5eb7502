package dev.bpfwatch.sockets;

/** A listening socket across programs: its network namespace's inode and its own socket inode. */
public record ListenerId(long netns, long inode) {
}
