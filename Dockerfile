# bpfwatch container image: build the BPF programs and the jar, run on a slim JRE.
#
#   docker build -t bpfwatch .
#   docker run ... bpfwatch            (the full line, with capabilities and mounts: README, "Docker")
#
# The build stage generates vmlinux.h from the build host's
# /sys/kernel/btf/vmlinux (docker build sees the host's sysfs). The objects
# are CO-RE: libbpf relocates them against the BTF of whatever kernel runs them.
# `make docker-build-steps` runs this stage's RUN lines without a Docker engine.

FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      clang llvm libbpf-dev bpftool make maven openjdk-17-jdk-headless ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml ./
COPY exporter/pom.xml exporter/
COPY programs/ programs/
COPY configs/ configs/
COPY exporter/src/ exporter/src/
RUN mvn -B -q package -DskipTests \
 && test -f exporter/target/bpfwatch.jar

FROM debian:12-slim
# Native dependencies, loaded by jnr-ffi: libbpf1 (libbpf.so.1), and libpcap0.8
# (libpcap.so.0.8), with which `bpfwatch xdpcap` compiles tcpdump filters; pci.ids,
# the database of the pci_* decoders.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless libbpf1 libpcap0.8 pci.ids \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/exporter/target/bpfwatch.jar /usr/share/bpfwatch/bpfwatch.jar
# The launcher runs the jar with the shipped JVM flags (BPFWATCH_JAVA_OPTS adds to them);
# the class-data-sharing archive, made for the jar where it lies, speeds up short commands
# (`docker exec bpfwatch bpfwatch listen-drops`).
COPY bin/bpfwatch /usr/bin/bpfwatch
COPY deploy/cds-archive.sh /usr/share/bpfwatch/cds-archive.sh
RUN /usr/share/bpfwatch/cds-archive.sh /usr/share/bpfwatch/bpfwatch.jar /usr/share/bpfwatch/bpfwatch.jsa
EXPOSE 9435
ENTRYPOINT ["bpfwatch"]
CMD ["run"]
