package dev.bpfwatch.testing;

/**
 * The tracing config of programs/testdata/span_trace.bpf.c: span "exec"
 * (ring buffer exec_spans, service span-test, attributes tgid, comm, kind)
 * and the child span of ring buffer exec_child_spans, named by its
 * span_name label, with attribute process.cpu.
 */
public final class SpanTraceConfig {
    private SpanTraceConfig() {
    }

    public static final String YAML = """
            tracing:
              spans:
                - name: exec
                  ringbuf: exec_spans
                  service: span-test
                  labels:
                    - name: trace_id
                      size: 16
                      decoders:
                        - name: hex
                    - name: parent_span_id
                      size: 8
                      decoders:
                        - name: hex
                    - name: span_id
                      size: 8
                      decoders:
                        - name: hex
                    - name: span_monotonic_timestamp_ns
                      size: 8
                      decoders:
                        - name: uint
                    - name: span_duration_ns
                      size: 8
                      decoders:
                        - name: uint
                    - name: tgid
                      size: 4
                      decoders:
                        - name: uint
                    - name: comm
                      size: 16
                      decoders:
                        - name: string
                    - name: kind
                      size: 4
                      decoders:
                        - name: uint
                        - name: static_map
                          static_map:
                            1: exec
                - ringbuf: exec_child_spans
                  labels:
                    - name: trace_id
                      size: 16
                      decoders:
                        - name: hex
                    - name: parent_span_id
                      size: 8
                      decoders:
                        - name: hex
                    - name: span_id
                      size: 8
                      decoders:
                        - name: hex
                    - name: span_monotonic_timestamp_ns
                      size: 8
                      decoders:
                        - name: uint
                    - name: span_duration_ns
                      size: 8
                      decoders:
                        - name: uint
                    - name: span_name
                      size: 16
                      decoders:
                        - name: string
                    - name: process.cpu
                      size: 4
                      decoders:
                        - name: uint
            """;
}
