package dev.bpfwatch.capture;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/** enum xdp_action: the number is the action's slot in a hook (ABORTED 0 ... REDIRECT 4). */
public enum XdpAction {
    ABORTED, DROP, PASS, TX, REDIRECT;

    public int slot() {
        return ordinal();
    }

    public static XdpAction of(int number) {
        if (number < 0 || number >= values().length) {
            throw new IllegalArgumentException("no XDP action " + number);
        }
        return values()[number];
    }

    /**
     * A comma-separated list of action names, {@code drop} or {@code XDP_DROP}
     * in any case.
     *
     * @throws IllegalArgumentException naming the first unknown action
     */
    public static EnumSet<XdpAction> parseList(String list) {
        EnumSet<XdpAction> out = EnumSet.noneOf(XdpAction.class);
        for (String part : list.split(",", -1)) {
            String name = part.strip().toUpperCase(Locale.ROOT);
            if (name.startsWith("XDP_")) {
                name = name.substring(4);
            }
            try {
                out.add(valueOf(name));
            } catch (IllegalArgumentException e) {
                List<String> known = new ArrayList<>();
                for (XdpAction a : values()) {
                    known.add(a.name().toLowerCase(Locale.ROOT));
                }
                throw new IllegalArgumentException("unknown XDP action '" + part.strip() + "' (known: "
                        + String.join(", ", known) + ")");
            }
        }
        return out;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
