# bpfwatch: `make run` sets up, builds and serves; `make test` runs every test.
# Both install what a fresh Debian 12 machine lacks (as root).

JAR        := exporter/target/bpfwatch.jar
MVN        := mvn -B -q
# Debian packages the build and the tests need: compiler and BPF tools for
# programs/, iproute2 for network namespaces and nstat in tests; openssl
# (test certificates), curl, and prometheus (server and promtool) for the
# HTTPS / basic-auth tests and the tests of deploy/; QEMU, busybox, cpio and
# xz for the kernel matrix's guests; libpcap0.8 (xdpcap compiles filters with it) and
# tcpdump (the reference xdpcap's tests compare with); pci.ids (the pci_* decoders'
# database) and pciutils (lspci, which the decoders' test compares with).
APT_PACKAGES := clang llvm libbpf-dev bpftool libbpf1 iproute2 curl openssl prometheus libpcap0.8 tcpdump \
                qemu-system-x86 busybox-static cpio xz-utils pci.ids pciutils
JAVA_OPTS  ?= -XX:+UseSerialGC -Xss512k -XX:MaxRAM=256m
ARGS       ?=

.PHONY: deps build run test test-kernels kernel-table bench clean docker-build-steps

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "bpfwatch: missing packages:$$missing (run as root, or: apt-get install$$missing)" >&2; exit 1; fi; \
	  echo "bpfwatch: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v mvn >/dev/null || { echo "bpfwatch: Maven not found: apt-get install maven" >&2; exit 1; }
	@command -v java >/dev/null || { echo "bpfwatch: Java 17 not found: apt-get install openjdk-17-jdk-headless" >&2; exit 1; }

build: deps
	$(MVN) package -DskipTests

run: build
	java $(JAVA_OPTS) -jar $(JAR) run $(ARGS)

test: deps
	rm -rf exporter/target/matrix/host   # this run's host column of the kernel table
	mvn -B verify
	@# The benchmarks compile against the jar's API: keep them building (running them is `make bench`).
	$(MAKE) --no-print-directory -C bench all JAR=$(abspath $(JAR))
	$(MAKE) --no-print-directory test-kernels

# The kernel matrix: the tests tagged `matrix`, in a QEMU guest per stock
# Debian kernel (downloaded once into ~/.cache/bpfwatch-matrix). One kernel
# while developing: make test-kernels KERNELS=6.1 (after a build).
ALL_KERNELS := 5.10 6.1 6.12 newest
KERNELS ?= $(ALL_KERNELS)
test-kernels: deps
	@test -f exporter/target/matrix/classpath.txt || $(MVN) test-compile
	matrix/selftest.sh $(firstword $(KERNELS))
	matrix/run-matrix.sh $(KERNELS)
	@# Only a run of every kernel rewrites the table: a partial one would mix in older columns.
	@if [ "$(KERNELS)" = "$(ALL_KERNELS)" ]; then $(MAKE) --no-print-directory kernel-table; fi

# README's kernel table, from the last matrix run (never edited by hand).
kernel-table:
	python3 matrix/kernel-table.py exporter/target/matrix README.md

# The Dockerfile's build stage without a Docker engine: its RUN lines in a scratch dir.
docker-build-steps: deps
	deploy/docker-build-steps.sh

clean:
	mvn -B -q clean
	$(MAKE) -C programs clean

# Benchmarks (issue 7): rewrites BENCHMARKS.md from one run on this machine.
# SOAK_SECONDS is how long the memory soak scrapes the agent (default 10 min).
SOAK_SECONDS ?= 600
bench: build
	$(MAKE) --no-print-directory -C bench run JAR=$(abspath $(JAR)) OUT=$(abspath BENCHMARKS.md) \
	  SOAK_SECONDS=$(SOAK_SECONDS) JAVA_OPTS="$(JAVA_OPTS)" BENCH_ARGS="$(BENCH_ARGS)"
