package dev.bpfwatch.btf;

import java.util.Map;

/** Builds {@link DropReasons} from a hand-made enum, for tests outside this package. */
public final class DropReasonsFixture {
    private DropReasonsFixture() {
    }

    public static DropReasons of(Map<String, Long> enumerators) {
        return new DropReasons(enumerators);
    }
}
