package dev.bpfwatch.config;

/**
 * A config's directory name under the pin root. bpffs refuses names with a
 * dot (its lookup treats them as reserved), yet config names may have one
 * (ebpf_exporter's cachestat-pre-kernel-5.16), so a dot is written "%2E".
 * Config names cannot hold '%', so the encoding is one-to-one, and names
 * without a dot, all pins made before it, stay as they were. Logs name the
 * config by its own name; only paths (cleanup's list) show the encoded one.
 */
public final class PinName {
    private PinName() {
    }

    public static String encode(String configName) {
        return configName.replace(".", "%2E");
    }
}
