package dev.bpfwatch.testing;

import java.nio.file.Path;
import java.net.URISyntaxException;

/** Paths of objects the build put on the test classpath. */
public final class Resources {
    private Resources() {
    }

    /** programs/testdata/NAME.bpf.c, compiled by the build. */
    public static Path testObject(String name) {
        try {
            return Path.of(Resources.class.getResource("/bpf/" + name + ".bpf.o").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test object " + name + " was not built", e);
        }
    }
}
