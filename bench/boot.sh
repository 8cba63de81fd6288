#!/usr/bin/env bash
# Boot to network-ready of the default image (as root): `runtime run` until the VM answers on
# port 80 through its mapped host port, median of N, split into the network attach, the guest
# (QEMU start to ready) and our own share (the rest: JVM, records, netns, guest link); QEMU's
# RSS per VM; and `run` with 1, 5 and 10 VMs already running. Uses its own state dir, CNI
# network (bridge, /24, conf and IPAM dirs) and removes everything at the end.
# Usage: bench/boot.sh [RUNS (default 10)]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dist=$(ls -d "$here"/distribution/target/ignis-*/ignis-* | head -1)
runs=${1:-10}
work=$(mktemp -d /tmp/ignis-boot-bench-XXXXXX)
suffix=$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
bridge=igbb$suffix
subnet_prefix=10.$((150 + RANDOM % 90)).$((RANDOM % 256))
export IGNIS_STATE_DIR=$work/state IGNIS_PLUGIN_CNI_CONF_DIR=$work/net.d IGNIS_PLUGIN_CNI_CACHE_DIR=$work/cni
export IGNIS_IMAGES_DIR=${IGNIS_IMAGES_DIR:-$here/distribution/target/images}
runtime=$dist/bin/runtime
cleanup() {
  for id in $("$runtime" ps -a -o json 2>/dev/null | sed -n 's/.*"id" : "\([0-9a-f]*\)".*/\1/p'); do
    "$runtime" rm -f "$id" >/dev/null 2>&1 || true
  done
  "$runtime" gc >/dev/null 2>&1 || true
  ip link delete "$bridge" 2>/dev/null || true
  "$here/scripts/remove-unused-cni-chains"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/net.d"
cat >"$work/net.d/10-bench.conflist" <<NET
{"cniVersion":"0.4.0","name":"ignis-boot-bench-$suffix","plugins":[
  {"type":"bridge","bridge":"$bridge","isGateway":true,"isDefaultGateway":true,"ipMasq":true,
   "ipam":{"type":"host-local","subnet":"$subnet_prefix.0/24","dataDir":"$work/ipam"}},
  {"type":"portmap","capabilities":{"portMappings":true}},{"type":"firewall"}]}
NET
"$runtime" run --name warmup >/dev/null # builds the image and probes KVM once
"$runtime" rm -f warmup >/dev/null

now() { date +%s%N; }
answers() { # port: true once the VM's web server answers through the host port
  exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || return 1
  printf 'GET / HTTP/1.0\r\n\r\n' >&3
  grep -q '<h1>' <&3
  local status=$?
  exec 3<&-
  return $status
}
boot_once() { # name port: prints "total_ms network_ms guest_ms"
  local start end line
  start=$(now)
  line=$("$runtime" -v run --name "$1" -p "$2:80" 2>&1 >/dev/null | grep 'timing:' | tail -1)
  until answers "$2"; do sleep 0.01; done
  end=$(now)
  echo "$(( (end - start) / 1000000 )) $(echo "$line" | sed -n 's/.*network \([0-9]*\) ms, guest \([0-9]*\) ms.*/\1 \2/p')"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$work/samples"
for i in $(seq "$runs"); do
  boot_once "b$i" $((31000 + i)) >>"$work/samples"
  pid=$(cat "$IGNIS_STATE_DIR/vms/$("$runtime" inspect "b$i" | sed -n 's/.*"id" : "\([0-9a-f]*\)".*/\1/p' | head -1)/qemu.pid")
  grep VmRSS "/proc/$pid/status" | awk '{print $2}' >>"$work/rss"
  "$runtime" rm -f "b$i" >/dev/null
done
total=$(awk '{print $1}' "$work/samples" | median)
network=$(awk '{print $2}' "$work/samples" | median)
guest=$(awk '{print $3}' "$work/samples" | median)
accel=$(cut -d' ' -f1 "$IGNIS_IMAGES_DIR/accel-probe" 2>/dev/null || echo "?")
echo "boot to port 80 answering (default image, $accel, median of $runs): ${total} ms"
echo "  network attach ${network} ms, QEMU start to ready ${guest} ms, our own share $((total - network - guest)) ms"
echo "QEMU RSS per VM (-m 256): median $(( $(median <"$work/rss") / 1024 )) MiB"

for running in 1 5 10; do
  while [ "$("$runtime" ps -o json | grep -c '"id"' || true)" -lt "$running" ]; do
    n=$("$runtime" ps -a -o json | grep -c '"id"' || true)
    "$runtime" run --name "bg$n" >/dev/null
  done
  set -- $(boot_once probe 32000)
  echo "run with $running VMs running: ${1} ms (network ${2} ms, guest ${3} ms)"
  "$runtime" rm -f probe >/dev/null
done
