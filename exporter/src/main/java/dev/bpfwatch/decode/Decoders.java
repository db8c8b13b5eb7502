package dev.bpfwatch.decode;

import dev.bpfwatch.text.Suggest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The decoders by the names configs use, and the running of a label's chain
 * of them: each decoder's output is the next one's input.
 */
public final class Decoders {
    private final Map<String, Decoder> byName;

    private Decoders(Map<String, Decoder> byName) {
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    /** Every decoder bpfwatch knows, reading the host through {@code context}. */
    public static Decoders standard(DecoderContext context) {
        // One kallsyms table for ksym and kstack: it is the largest thing decoders hold.
        KernelSymbols symbols = new KernelSymbols(context.kallsyms(), Throttle.perSecond());
        Map<String, Decoder> m = new LinkedHashMap<>();
        m.put("uint", new Uint());
        m.put("hex", new Hex());
        m.put("string", new CString());
        m.put("inet_ip", new InetIp());
        m.put("port", new Port());
        m.put("ifname", new IfName());
        m.put("errno", new Errno());
        m.put("syscall", new Syscall());
        m.put("ksym", new Ksym(symbols));
        m.put("kstack", new Kstack(symbols));
        m.put("cgroup", new Cgroup(context));
        m.put("static_map", new StaticMap());
        m.put("regexp", new Regexp());
        m.put("dname", new Dname());
        m.put("majorminor", new MajorMinor());
        m.put("enum", new KernelEnum(context));
        PciIds pci = new PciIds(context.pciIds());
        m.put("pci_vendor", new PciVendor(pci));
        m.put("pci_device", new PciDevice(pci));
        m.put("pci_class", new PciClass(pci));
        m.put("pci_subclass", new PciSubclass(pci));
        return new Decoders(m);
    }

    /** For tests: exactly these decoders. */
    static Decoders of(Map<String, Decoder> byName) {
        return new Decoders(byName);
    }

    public Optional<Decoder> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(byName.keySet()));
    }

    /**
     * Runs a label's chain on its slice of the key.
     *
     * @return the label value's bytes, or null when a decoder says to skip the sample
     * @throws DecoderException when a decoder cannot decode its input; the message names the decoder
     * @throws IllegalArgumentException for a decoder name not known (validateChain catches it at load)
     */
    public byte[] decodeChain(byte[] in, List<DecoderConfig> chain) throws DecoderException {
        return decodeLabel(in, chain).value();
    }

    /**
     * {@link #decodeChain}, also saying whether the value is provisional:
     * a chain is when any of its decoders' answers was (see {@link Decoded}).
     * A skip is a value of null, and provisional too when it was decided on a
     * provisional value (a regexp on the path of a cgroup not yet seen).
     */
    public Decoded decodeLabel(byte[] in, List<DecoderConfig> chain) throws DecoderException {
        byte[] value = in;
        boolean provisional = false;
        for (DecoderConfig c : chain) {
            Decoder d = require(c.name());
            Decoded step;
            try {
                step = d.decodeLabel(value, c);
            } catch (DecoderException e) {
                throw new DecoderException("decoder '" + c.name() + "': " + e.getMessage());
            }
            if (step == null) {
                return new Decoded(null, provisional);
            }
            value = step.value();
            provisional |= step.provisional();
        }
        return new Decoded(value, provisional);
    }

    /**
     * Checks a label's chain at config load: known names, settings, and that
     * each decoder can take what it is given ({@code labelSize} raw bytes for
     * the first, text after that).
     *
     * @throws IllegalArgumentException "decoder 'x': what is wrong"
     */
    /** What the chain's decoders do instead of their normal work on this kernel (see {@link Decoder#fallback}). */
    public List<String> fallbacks(List<DecoderConfig> chain) {
        List<String> out = new java.util.ArrayList<>();
        for (DecoderConfig c : chain) {
            require(c.name()).fallback(c).ifPresent(out::add);
        }
        return out;
    }

    public void validateChain(List<DecoderConfig> chain, int labelSize) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no decoders: a label needs at least one (e.g. uint or string)");
        }
        for (int i = 0; i < chain.size(); i++) {
            DecoderConfig c = chain.get(i);
            Decoder d = require(c.name());
            try {
                d.validate(c, i == 0 ? labelSize : -1);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("decoder '" + c.name() + "': " + e.getMessage(), e);
            }
        }
    }

    private Decoder require(String name) {
        Decoder d = name == null ? null : byName.get(name);
        if (d == null) {
            String given = String.valueOf(name);
            String hint = Suggest.didYouMean(given, byName.keySet());
            if (hint.isEmpty()) {
                hint = " (known: " + String.join(", ", names()) + ")";
            }
            throw new IllegalArgumentException("unknown decoder '" + given + "'" + hint);
        }
        return d;
    }
}
