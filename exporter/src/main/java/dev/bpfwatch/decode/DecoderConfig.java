package dev.bpfwatch.decode;

import java.util.List;
import java.util.Map;

/**
 * One entry of a label's {@code decoders:} list, as written in the YAML
 * (ebpf_exporter's keys plus bpfwatch's {@code enum}).
 *
 * @param name         decoder name: uint, string, static_map, ...
 * @param staticMap    static_map: input value -> output value
 * @param allowUnknown static_map: pass unknown inputs through instead of failing
 * @param regexps      regexp: patterns; the sample is kept if any matches
 * @param enumName     enum: name of the kernel BTF enum (e.g. skb_drop_reason)
 * @param stripPrefix  enum: prefix to drop from enumerator names (e.g. SKB_DROP_REASON_)
 * @param ifMissing    enum: the label value for every number when the running kernel has no
 *                     such enum (e.g. drop reasons before 5.17); null makes a missing enum an error
 */
public record DecoderConfig(String name, Map<String, String> staticMap, boolean allowUnknown,
                            List<String> regexps, String enumName, String stripPrefix, String ifMissing) {

    public DecoderConfig(String name, Map<String, String> staticMap, boolean allowUnknown,
                         List<String> regexps, String enumName, String stripPrefix) {
        this(name, staticMap, allowUnknown, regexps, enumName, stripPrefix, null);
    }

    public DecoderConfig {
        staticMap = staticMap == null ? Map.of() : Map.copyOf(staticMap);
        regexps = regexps == null ? List.of() : List.copyOf(regexps);
    }

    public static DecoderConfig named(String name) {
        return new DecoderConfig(name, null, false, null, null, null);
    }
}
