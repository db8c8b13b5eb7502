#!/bin/bash
# Runs the Dockerfile's build stage without a Docker engine: COPY sources into
# a scratch root, RUN lines there with `sh -ec`, WORKDIR honoured; then checks
# that what the runtime stage copies --from=build exists and that its Debian
# packages exist. apt-get RUN lines only check their packages are installed
# (set DOCKER_STEPS_APT=1 to run them, as root). Usage: docker-build-steps.sh [SCRATCH]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dockerfile=$repo/Dockerfile
scratch=${1:-$(mktemp -d /tmp/bpfwatch-docker-steps.XXXXXX)}
mkdir -p "$scratch"
echo "docker-build-steps: scratch root $scratch"

# One instruction per line: join continuations, drop comments and blanks.
instructions=$(sed -e '/^[[:space:]]*#/d' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | sed -e '/^[[:space:]]*$/d')

stage=0
workdir=/
runtime_copies=()
runtime_packages=()
apt_packages() { # the package names of an `apt-get install` command line
  sed -e 's/.*apt-get install//' -e 's/&&.*//' <<<"$1" | tr ' ' '\n' | grep -v '^-' | grep -v '^$' || true
}
while IFS= read -r line; do
  op=${line%% *}
  args=${line#* }
  case "$op" in
    FROM) stage=$((stage + 1)); continue ;;
  esac
  if [ "$stage" -ne 1 ]; then
    # the runtime stage: remember what it needs from the build stage and from Debian
    case "$op" in
      COPY) [[ "$args" == --from=build* ]] && runtime_copies+=("$(awk '{print $2}' <<<"$args")") ;;
      RUN) [[ "$args" == *"apt-get install"* ]] && runtime_packages+=($(apt_packages "$args")) ;;
    esac
    continue
  fi
  case "$op" in
    WORKDIR)
      workdir=$args
      mkdir -p "$scratch$workdir" ;;
    COPY)
      read -r -a parts <<<"$args"
      dest=${parts[${#parts[@]}-1]}
      [[ "$dest" == /* ]] || dest=$workdir/$dest
      for src in "${parts[@]:0:${#parts[@]}-1}"; do
        test -e "$repo/$src" || { echo "docker-build-steps: COPY source $src missing" >&2; exit 1; }
        if [ -d "$repo/$src" ]; then
          mkdir -p "$scratch$dest"
          # .dockerignore: build outputs stay out of the context
          tar -C "$repo/$src" --exclude=target --exclude=build --exclude='*.bpf.o' -cf - . | tar -C "$scratch$dest" -xf -
        else
          case "$dest" in */) mkdir -p "$scratch$dest"; cp "$repo/$src" "$scratch$dest" ;;
                          *) mkdir -p "$(dirname "$scratch$dest")"; cp "$repo/$src" "$scratch$dest" ;; esac
        fi
      done
      echo "COPY $args" ;;
    RUN)
      if [[ "$args" == *"apt-get install"* && "${DOCKER_STEPS_APT:-0}" != 1 ]]; then
        for p in $(apt_packages "$args"); do
          dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || { echo "docker-build-steps: build-stage package $p not installed (DOCKER_STEPS_APT=1 to install)" >&2; exit 1; }
        done
        echo "RUN (apt-get: packages installed) $(apt_packages "$args" | tr '\n' ' ')"
      else
        echo "RUN $args"
        (cd "$scratch$workdir" && sh -ec "$args" </dev/null)
      fi ;;
    ENV|ARG|LABEL|USER|EXPOSE) echo "docker-build-steps: $op not emulated" >&2; exit 1 ;;
  esac
done <<<"$instructions"

for src in "${runtime_copies[@]}"; do
  test -f "$scratch$src" || { echo "docker-build-steps: runtime stage copies $src, the build stage made no such file" >&2; exit 1; }
  echo "runtime COPY --from=build $src: present ($(stat -c %s "$scratch$src") bytes)"
done
for p in "${runtime_packages[@]}"; do
  apt-cache show "$p" >/dev/null 2>&1 || { echo "docker-build-steps: runtime package $p not in the Debian archive" >&2; exit 1; }
done
echo "runtime packages in the archive: ${runtime_packages[*]}"
echo "docker-build-steps: ok"
