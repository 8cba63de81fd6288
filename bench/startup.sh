#!/usr/bin/env bash
# Start-up of whole commands: median wall time and peak RSS of `runtime ps` and
# `runtime plugins` with the bundled plugins and 100 VM records, against `java -version`
# measured in the same run. Usage: bench/startup.sh [DIST_DIR] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dist=${1:-$(ls -d "$here"/distribution/target/ignis-*/ignis-* | head -1)}
runs=${2:-15}
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 1; }

state=$(mktemp -d /tmp/ignis-bench-XXXXXX)
trap 'rm -rf "$state"' EXIT
export IGNIS_STATE_DIR=$state

# 100 VM records: one made by the runtime, 99 copies with other ids and names.
"$dist/bin/runtime" create --name bench-000 -p 18000:80 >/dev/null
template=$(ls "$state/vms")
for i in $(seq 1 99); do
  id=$(printf '%016x' $((0x1000000000000000 + i)))
  mkdir -p "$state/vms/$id"
  sed -e "s/$template/$id/g" -e "s/bench-000/bench-$(printf %03d "$i")/" "$state/vms/$template/vm.json" \
    >"$state/vms/$id/vm.json"
done
[ "$("$dist/bin/runtime" ps -a -o json | grep -c '"name"')" -eq 100 ] || { echo "expected 100 VMs" >&2; exit 1; }

measure() { # label, command...: prints median seconds and max peak RSS over $runs runs
  local label=$1; shift
  local times=() rss=0
  "$@" >/dev/null 2>&1 # warm the page cache
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$state/time" -f '%e %M' "$@" >/dev/null 2>&1
    out=$(tail -1 "$state/time")
    times+=("${out% *}"); [ "${out#* }" -gt "$rss" ] && rss=${out#* }
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$label $median $rss"
}

base=$(measure java-version java -version)
echo "command                 median_s  ratio_to_java_version  peak_rss_MB"
for row in "$base" "$(measure ps "$dist/bin/runtime" ps -a)" "$(measure ps-json "$dist/bin/runtime" ps -a -o json)" \
           "$(measure plugins "$dist/bin/runtime" plugins)"; do
  read -r label median rss <<<"$row"
  read -r _ base_median _ <<<"$base"
  awk -v l="$label" -v m="$median" -v b="$base_median" -v r="$rss" \
    'BEGIN {printf "%-22s  %8.2f  %21.1f  %11.0f\n", l, m, m / b, r / 1024}'
done
