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
# database) and pciutils (lspci, which the decoders' test compares with);
# dpkg-dev and lintian for `make deb` and its test.
APT_PACKAGES := clang llvm libbpf-dev bpftool libbpf1 iproute2 curl openssl prometheus libpcap0.8 tcpdump \
                qemu-system-x86 busybox-static cpio xz-utils pci.ids pciutils dpkg-dev lintian \
                systemd
# The agent's JVM flags live in one place, the launcher (bin/bpfwatch); JAVA_OPTS (make run,
# make bench) defaults to them. make run passes on the flags of JAVA_OPTS that are not
# shipped ones, after them, so a flag given here wins.
AGENT_OPTS := $(shell sed -n 's/^AGENT_OPTS="\(.*\)"$$/\1/p' bin/bpfwatch)
JAVA_OPTS  ?= $(AGENT_OPTS)
ARGS       ?=
# Class-data-sharing archive for the jar where it is built (bin/bpfwatch uses it for short commands).
CDS        := exporter/target/bpfwatch.jsa
# The bundled programs, as the build compiled them into the jar.
BUILT_CONFIGS := exporter/target/classes/bpfwatch/configs

# make install: PREFIX/bin/bpfwatch, PREFIX/share/bpfwatch/, the systemd unit (the
# distribution's unit directory for PREFIX=/usr, the administrator's otherwise), and
# SYSCONFDIR/bpfwatch/ (sample configs, never overwritten) and SYSCONFDIR/default/bpfwatch.
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,/etc/systemd/system)
DESTDIR    ?=
# Debian's version from the pom's (0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT: a snapshot sorts before its release).
VERSION    := $(shell sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml)
DEB_VERSION := $(subst -,~,$(VERSION))
DEB        := exporter/target/bpfwatch_$(DEB_VERSION)_all.deb

.PHONY: deps build run test test-kernels kernel-table bench bench-cli clean docker-build-steps install deb test-package

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
	deploy/cds-archive.sh $(JAR) $(CDS)

run: build
	BPFWATCH_JAVA_OPTS="$(filter-out $(AGENT_OPTS),$(JAVA_OPTS))" bin/bpfwatch run $(ARGS)

test: deps
	rm -rf exporter/target/matrix/host   # this run's host column of the kernel table
	@# mvn verify also runs, after the jar is packaged, the tests tagged `packaged`: the launcher,
	@# the OutOfMemoryError exit, make install and make deb (lintian, dpkg-deb --contents, the
	@# unpacked package serving /metrics).
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

# Installs what the build made (make build first, or make install builds it).
$(JAR):
	$(MVN) package -DskipTests

install: $(JAR)
	install -D -m 0755 bin/bpfwatch $(DESTDIR)$(PREFIX)/bin/bpfwatch
	install -D -m 0644 $(JAR) $(DESTDIR)$(PREFIX)/share/bpfwatch/bpfwatch.jar
	install -D -m 0755 deploy/cds-archive.sh $(DESTDIR)$(PREFIX)/share/bpfwatch/cds-archive.sh
	install -d $(DESTDIR)$(UNITDIR)
	sed 's:/usr/bin/bpfwatch:$(PREFIX)/bin/bpfwatch:' deploy/systemd/bpfwatch.service \
	  > $(DESTDIR)$(UNITDIR)/bpfwatch.service && chmod 0644 $(DESTDIR)$(UNITDIR)/bpfwatch.service
	@# The bundled configs as samples: NAME.yaml in SYSCONFDIR/bpfwatch (an administrator's
	@# edits survive a reinstall), beside a link to its program in PREFIX/share/bpfwatch/configs,
	@# so `bpfwatch run --config.dir=$(SYSCONFDIR)/bpfwatch` works as installed.
	install -d $(DESTDIR)$(SYSCONFDIR)/bpfwatch $(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(PREFIX)/share/bpfwatch/configs
	for f in configs/*.yaml; do n=$$(basename $$f .yaml); \
	  install -m 0644 $(BUILT_CONFIGS)/$$n.bpf.o $(DESTDIR)$(PREFIX)/share/bpfwatch/configs/$$n.bpf.o; \
	  t=$(DESTDIR)$(SYSCONFDIR)/bpfwatch/$$n.yaml; [ -e $$t ] || install -m 0644 $$f $$t; \
	  ln -sfn $(PREFIX)/share/bpfwatch/configs/$$n.bpf.o $(DESTDIR)$(SYSCONFDIR)/bpfwatch/$$n.bpf.o; done
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/bpfwatch ] || install -m 0644 deploy/etc/default/bpfwatch $(DESTDIR)$(SYSCONFDIR)/default/bpfwatch
	@# The archive is tied to the jar's final path: made here only when that is where it lies.
	@if [ -z "$(DESTDIR)" ]; then deploy/cds-archive.sh $(PREFIX)/share/bpfwatch/bpfwatch.jar $(PREFIX)/share/bpfwatch/bpfwatch.jsa; \
	else echo "make install: DESTDIR set, no class-data-sharing archive (run $(PREFIX)/share/bpfwatch/cds-archive.sh once installed)"; fi

# A Debian package built with dpkg-deb from a staged make install (PREFIX=/usr); root owns every file.
deb: $(JAR)
	deploy/debian/build-deb.sh $(JAR) $(DEB_VERSION) $(DEB)

# Benchmarks (issue 7): rewrites BENCHMARKS.md from one run on this machine.
# SOAK_SECONDS is how long the memory soak scrapes the agent (default 10 min).
SOAK_SECONDS ?= 600
bench: build
	$(MAKE) --no-print-directory -C bench run JAR=$(abspath $(JAR)) OUT=$(abspath BENCHMARKS.md) \
	  SOAK_SECONDS=$(SOAK_SECONDS) JAVA_OPTS="$(JAVA_OPTS)" BENCH_ARGS="$(BENCH_ARGS)"
	@# CLI start-up (issue 14) comes from its own script, appended as the file's last section.
	{ printf '\n## CLI start-up (bench/cli-startup.sh)\n\n'; bench/cli-startup.sh $(RUNS); } >> $(abspath BENCHMARKS.md)

# CLI start-up (issue 14): `bpfwatch --version` and `bpfwatch udp-limit status` through the
# launcher, against `ss -tlnp`, medians of RUNS runs; prints a Markdown table.
RUNS ?= 15
bench-cli: build
	bench/cli-startup.sh $(RUNS)
