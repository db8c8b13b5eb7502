#!/bin/bash
# The kernel matrix: boots each stock Debian kernel in a QEMU guest and runs
# there, with this host's JDK and build, the tests tagged `matrix`.
#
#   run-matrix.sh [KERNEL...]      default: 5.10 6.1 6.12 newest
#
# Needs a built tree (mvn verify or package + test-compile): it reads
# exporter/target/{classes,test-classes,matrix}. Per kernel it writes
# exporter/target/matrix/KERNEL/: console.log, reports/ (JUnit XML),
# features.tsv (what each feature did there), summary. Any failing, hanging
# or silent guest fails the run; a hung guest's console is printed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
exporter=$repo/exporter
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(5.10 6.1 6.12 newest)
# Per guest: boot (~5 s) plus one test JVM under single-threaded TCG: 180-260 s
# measured, so a guest still running at 540 s has hung.
guest_timeout=${BPFWATCH_MATRIX_TIMEOUT:-540}

matrix=$exporter/target/matrix
for f in "$matrix/classpath.txt" "$matrix/junit-platform-console-standalone.jar" "$exporter/target/test-classes"; do
  [ -e "$f" ] || { echo "kernel matrix: $f missing: build first (make test, or mvn -B test-compile)" >&2; exit 2; }
done
# The standalone launcher carries JUnit itself: leave Maven's JUnit jars out.
classpath=$matrix/junit-platform-console-standalone.jar:$exporter/target/test-classes:$exporter/target/classes
classpath=$classpath:$(tr ':' '\n' < "$matrix/classpath.txt" | grep -v -e /org/junit/ -e /opentest4j/ -e /apiguardian/ | paste -sd:)

# The launcher would load every test class to read its tags, which costs a
# minute under emulation: hand it the classes that carry the tag instead.
selectors=$(grep -rl --include='*.java' '@Tag("matrix")' "$exporter/src/test/java" \
  | sed -e "s|^$exporter/src/test/java/||" -e 's|\.java$||' -e 's|/|.|g' | sort | sed 's/^/--select-class /' | tr '\n' ' ')
[ -n "$selectors" ] || { echo "kernel matrix: no test class is tagged matrix" >&2; exit 2; }

failed=()
summary=()
for k in "${kernels[@]}"; do
  start=$(date +%s)
  kdir=$("$here/fetch-kernel.sh" "$k")
  "$here/make-initramfs.sh" "$kdir"
  out=$matrix/$k
  rm -rf "$out" && mkdir -p "$out/reports"
  cat > "$out/guest-command.sh" <<GUEST
set -u
cd "$exporter"
ip link set lo up
# Under emulation the JIT's second tier and the verifier of the project's own
# (already compiled and tested) classes cost more than they are worth.
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions -XX:-BytecodeVerificationRemote \\
  -Dbpfwatch.matrix.kernel="$k" -Dbpfwatch.matrix.out="$out" \\
  -cp "$classpath" org.junit.platform.console.ConsoleLauncher execute \\
  --disable-banner --disable-ansi-colors --details=tree \\
  --include-tag matrix $selectors \\
  --reports-dir "$out/reports"
GUEST
  echo "kernel matrix: $k ($(cat "$kdir/version")): booting"
  rc=0
  "$here/boot-guest.sh" "$kdir" "$out" "$guest_timeout" || rc=$?
  retried=""
  if [ "$rc" = 124 ] || [ "$rc" = 123 ]; then
    # The emulated guests' own kernels fail now and then, with no test at
    # fault: both CPUs soft-locked (about one run in forty on a loaded host),
    # or an int3 oops where TCG ran a breakpoint the kernel had already
    # patched away (seen under multi-threaded TCG, which boot-guest.sh no
    # longer uses). A failure that repeats is the kernel's or ours and fails
    # the run; a single one is shown and the guest booted again.
    why="hung"; [ "$rc" = 123 ] && why="crashed in its kernel"
    echo "kernel matrix: $k: the guest $why; its console ends:"
    tail -n 40 "$out/console.log"
    mv "$out/console.log" "$out/console-first-boot.log"
    rm -rf "$out/reports" "$out/features.tsv" && mkdir -p "$out/reports"
    echo "kernel matrix: $k: booting again"
    rc=0
    "$here/boot-guest.sh" "$kdir" "$out" "$guest_timeout" || rc=$?
    retried=" (booted twice: the first guest $why)"
  fi
  took=$(( $(date +%s) - start ))
  counts=$(python3 "$here/junit-counts.py" "$out/reports")
  line="$k $(cat "$kdir/version"): $counts in ${took}s$retried"
  # Stock kernels have every feature the matrix tests: a skip there hides one.
  if [ "$rc" = 0 ] && ! echo "$counts" | grep -q ' 0 skipped$'; then
    rc=126
  fi
  case $rc in
    0) ;;
    126) line="$line: a test skipped in the guest" ;;
    124) line="$line: TIMED OUT after ${guest_timeout}s" ;;
    123) line="$line: the guest's kernel crashed" ;;
    125) line="$line: guest stopped without an exit code" ;;
    *) line="$line: exit code $rc" ;;
  esac
  echo "$line" | tee "$out/summary"
  summary+=("$line")
  if [ "$rc" != 0 ]; then
    failed+=("$k")
    if [ "$rc" = 126 ]; then
      grep -E 'skipped|↷' "$out/console.log" || true
    elif [ "$rc" = 124 ] || [ "$rc" = 125 ] || [ "$rc" = 123 ] || ! grep -q '^Failures (' "$out/console.log"; then
      echo "---- console of $k ----"; cat "$out/console.log"; echo "---- end of console ----"
    else
      # The failures, as the launcher listed them.
      sed -n '/^Failures (/,/^Test run finished/p' "$out/console.log"
    fi
  fi
done

echo "kernel matrix summary:"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "kernel matrix: FAILED on ${failed[*]}" >&2
  exit 1
fi
