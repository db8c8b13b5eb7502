/* Helpers shared by bpfwatch's BPF programs. */
#ifndef BPFWATCH_H
#define BPFWATCH_H

/*
 * Keeps a record type in the object's BTF. clang emits BTF only for types
 * that globals, maps and functions use; a struct that an iterator only
 * writes with bpf_seq_write would otherwise vanish, and the agent reads
 * record layouts (field offsets) from BTF. Costs one zeroed global.
 */
#define BPFWATCH_RECORD(type) struct type __bpfwatch_record_##type __attribute__((used))

#endif
