package dev.bpfwatch.ratelimit;

/** No filter of that name is pinned: a user's mistake, not the kernel's. */
public final class FilterNotFoundException extends TargetException {
    public FilterNotFoundException(String name) {
        super("no UDP rate-limit filter named '" + name + "' (none pinned at " + FilterPins.dir(name)
                + "; see `bpfwatch udp-limit status`)");
    }
}
