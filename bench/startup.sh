#!/usr/bin/env bash
# Start-up of whole commands: median wall time and peak RSS of `runtime version`, `ps` and
# `plugins` with the bundled plugins and 100 VM records, and of a TAB (`__complete`: a command
# word, and a VM name among the 100), through ignisd (the thin client) and
# in the command's own process (IGNIS_DAEMON=off), against `java -version` measured in the
# same run; then ignisd's own RSS. Usage: bench/startup.sh [DIST_DIR] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dist=${1:-$(ls -d "$here"/distribution/target/ignis-*/ignis-* | head -1)}
runs=${2:-15}
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 1; }

state=$(mktemp -d /tmp/ignis-bench-XXXXXX)
trap '"$dist/bin/runtime" daemon stop >/dev/null 2>&1 || true; rm -rf "$state"' EXIT
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

# Each round runs every command once, in turn, so that drift of the machine's speed hits all
# alike; the figures are medians over the rounds and the largest peak RSS.
off="env IGNIS_DAEMON=off $dist/bin/runtime"
labels=(java-version version ps ps-json plugins version-inproc ps-inproc ps-json-inproc plugins-inproc
  tab-command tab-vm-name tab-command-inproc tab-vm-name-inproc)
commands=("java -version" "$dist/bin/runtime version" "$dist/bin/runtime ps -a" "$dist/bin/runtime ps -a -o json"
  "$dist/bin/runtime plugins" "$off version" "$off ps -a" "$off ps -a -o json" "$off plugins"
  "$dist/bin/runtime __complete st" "$dist/bin/runtime __complete inspect bench-05"
  "$off __complete st" "$off __complete inspect bench-05")
for command in "${commands[@]}"; do $command >/dev/null 2>&1; done # warm caches, make the CDS archive
for round in $(seq "$runs"); do
  for i in "${!commands[@]}"; do
    /usr/bin/time -o "$state/time" -f '%e %M' ${commands[$i]} >/dev/null 2>&1
    echo "${labels[$i]} $(tail -1 "$state/time")" >>"$state/samples"
  done
done
median() { grep "^$1 " "$state/samples" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
peak() { grep "^$1 " "$state/samples" | awk 'BEGIN {m=0} {if ($3>m) m=$3} END {print m}'; }
base=$(median java-version)
echo "command (median of $runs)    median_s  ratio_to_java_version  peak_rss_MB"
for label in "${labels[@]}"; do
  awk -v l="$label" -v m="$(median "$label")" -v b="$base" -v r="$(peak "$label")" \
    'BEGIN {printf "%-26s  %8.3f  %21.1f  %11.0f\n", l, m, m / b, r / 1024}'
done
rss=$(grep VmRSS "/proc/$(cat "$state/daemon/ignisd.pid")/status" | awk '{print $2}')
echo "ignisd RSS after the runs (100 VMs known): $((rss / 1024)) MB"
