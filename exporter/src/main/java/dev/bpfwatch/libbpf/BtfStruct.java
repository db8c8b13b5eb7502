package dev.bpfwatch.libbpf;

import java.util.List;
import java.util.Optional;

/**
 * A struct (or union) as an object's BTF describes it: the layout bpfwatch
 * needs to cut labels and values out of map keys, values and iterator records.
 */
public record BtfStruct(String name, int size, List<Field> fields) {

    /** A member: byte offset and size; {@code kind} says how to read it. */
    public record Field(String name, int offset, int size, Kind kind, boolean signed) {
    }

    public enum Kind { INT, ENUM, ARRAY, STRUCT, POINTER, OTHER }

    public Optional<Field> field(String fieldName) {
        return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
    }
}
