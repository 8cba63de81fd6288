#!/usr/bin/env bash
# ADD and DEL of the default network's chain against libcni itself (Debian's libcni 1.1.2,
# built offline by scripts/build-cni-peer), each in a fresh netns, as root:
#   (a) the libcni peer, one process per operation;
#   (b) Ignis' cni plugin inside one JVM, interleaved with (a) round by round;
#   (c) Ignis per CLI operation: `bin/runtime run` / `rm -f` on cni minus the same on the
#       sandbox-only example plugin (same JVM start, same guest boot), paired per round;
#       through ignisd (the default) and in the command's own process (IGNIS_DAEMON=off).
#       Guests boot after the attach here (boot.early=false): an early guest hides the ADD
#       behind its boot, and sandbox-only's guest (no IPv4) is booted the ordinary way anyway.
# Usage: bench/cni-peer.sh [ROUNDS (default 20)] [CLI_ROUNDS (default 10)]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
cli_rounds=${2:-10}
work=$(mktemp -d /tmp/ignis-cni-peer.XXXXXX)
suffix=$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
bridge=igp$suffix
cleanup() {
  if [ -n "${runtime:-}" ]; then # a round cut short leaves its VMs: removed, with their sandboxes
    for id in $("$runtime" ps -a -o json 2>/dev/null | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p'); do
      "$runtime" rm -f "$id" >/dev/null 2>&1 || true
    done
  fi
  [ -n "${runtime:-}" ] && "$runtime" gc >/dev/null 2>&1 || true
  [ -n "${runtime:-}" ] && "$runtime" daemon stop >/dev/null 2>&1 || true
  ip link delete "$bridge" 2>/dev/null || true
  scripts/remove-unused-cni-chains || true
  rm -rf "$work"
}
trap cleanup EXIT

scripts/build-cni-peer "$work/cni-peer"
mvn -B -q install -DskipTests >/dev/null
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$PWD/bench/target/classpath.txt" >/dev/null
java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.ignis.bench.CniPeerBench \
  "$work/cni-peer" "$rounds" | tee "$work/peer.txt"
read -r peer_add peer_del < <(sed -n 's/^PEER-MEDIANS-MS //p' "$work/peer.txt")

# (c): the runtime as users run it, on a network of its own shaped like the default one.
dist=$(ls -d distribution/target/ignis-*/ignis-* | head -1)
runtime=$dist/bin/runtime
mkdir -p "$work/net.d" "$work/plugins"
cp "$dist"/plugins/*.jar "$work/plugins/"
cp examples/sandbox-only/target/sandbox-only-plugin-*.jar "$work/plugins/"
cat >"$work/net.d/10-bench.conflist" <<JSON
{"cniVersion":"0.4.0","name":"ignis-bench-$suffix","plugins":[
  {"type":"bridge","bridge":"$bridge","isGateway":true,"isDefaultGateway":true,"promiscMode":true,"ipMasq":true,
   "ipam":{"type":"host-local","subnet":"10.$((150 + RANDOM % 90)).0.0/16","dataDir":"$work/ipam"}},
  {"type":"portmap","capabilities":{"portMappings":true}},
  {"type":"firewall"}]}
JSON
export IGNIS_STATE_DIR=$work/state IGNIS_PLUGINS_DIR=$work/plugins IGNIS_CONFIG=$work/none
export IGNIS_PLUGIN_CNI_CONF_DIR=$work/net.d IGNIS_PLUGIN_CNI_CACHE_DIR=$work/cache
export IGNIS_IMAGES_DIR=${IGNIS_IMAGES_DIR:-$PWD/distribution/target/images}
export IGNIS_BOOT_EARLY=false
ms() { local start end; start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N); echo $(((end - start) / 1000000)); }
mkdir -p "$work/state"
"$runtime" run --name warm >/dev/null && "$runtime" rm -f warm >/dev/null   # builds the image if needed
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for way in ignisd in-process; do
  [ "$way" = in-process ] && export IGNIS_DAEMON=off
  add=(); del=()
  for i in $(seq 1 "$cli_rounds"); do
    # One VM at a time: a guest still running (TCG) would slow the other's boot.
    c_run=$(ms "$runtime" run --name "c$i")
    c_rm=$(ms "$runtime" rm -f "c$i")
    s_run=$(ms "$runtime" --network-plugin sandbox-only run --name "s$i")
    s_rm=$(ms "$runtime" rm -f "s$i")
    add+=($((c_run - s_run))); del+=($((c_rm - s_rm)))
  done
  add_median=$(median "${add[@]}")
  del_median=$(median "${del[@]}")
  awk -v a="$add_median" -v d="$del_median" -v pa="$peer_add" -v pd="$peer_del" -v w="$way" 'BEGIN {
    printf "per CLI operation through %s (cni minus sandbox-only, median of %s): ADD %d ms, DEL %d ms: ratio to the peer %.2fx / %.2fx\n",
      w, "'"$cli_rounds"'", a, d, a / pa, d / pd }'
done
unset IGNIS_DAEMON
