#!/usr/bin/env bash
# Boot to network-ready of the default image (as root): `runtime run` until the VM answers on
# port 80 through its mapped host port, median of N, split into the network attach, the guest
# (QEMU start to ready) and our own share (the rest: JVM, records, netns, guest link); QEMU's
# RSS per VM; `run` through ignisd against `run` in its own process (IGNIS_DAEMON=off) and
# against a bare QEMU boot of the same image in a hand-made netns and tap (the floor),
# alternating round by round; 16 runs one by one and at once, with the machine's own ceiling
# for work done two at a time; and `run` with 1, 5 and 10 VMs already running. Uses its own
# state dir, CNI network (bridge, /24, conf and IPAM dirs), netns and ignisd, and removes
# everything at the end. Usage: bench/boot.sh [RUNS (default 10)]
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
  "$runtime" daemon stop >/dev/null 2>&1 || true
  [ -f "$work/bare.pid" ] && kill "$(cat "$work/bare.pid")" 2>/dev/null || true
  ip netns delete "igbare$suffix" 2>/dev/null || true
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
boot_once() { # name port [runtime command]: prints "total_ms network_ms guest_ms"
  local start end line
  start=$(now)
  line=$(${3:-$runtime} -v run --name "$1" -p "$2:80" 2>&1 >/dev/null | grep 'timing:' | tail -1)
  until answers "$2"; do sleep 0.01; done
  end=$(now)
  echo "$(( (end - start) / 1000000 )) $(echo "$line" | sed -n 's/.*network \([0-9]*\) ms, guest \([0-9]*\) ms.*/\1 \2/p')"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The floor: QEMU alone booting the same kernel, initrd and command line on a tap in a netns
# made by hand.
ns=igbare$suffix
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add tap0 mode tap
ip -n "$ns" addr add "$subnet_prefix.1/24" dev tap0
ip -n "$ns" link set tap0 up
image=$IGNIS_IMAGES_DIR/default
accel=$(cut -d' ' -f1 "$IGNIS_IMAGES_DIR/accel-probe" 2>/dev/null || echo "?")
khz=$(awk '/^cpu MHz/ {printf "%d", $4 * 1000; exit}' /proc/cpuinfo) # as the runtime passes it
bare_answers() {
  ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/$subnet_prefix.2/80 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && grep -q '<h1>' <&3" 2>/dev/null
}
bare_once() {
  local start
  start=$(now)
  ip netns exec "$ns" qemu-system-x86_64 -name bare -M microvm,rtc=on -accel "${accel/\?/tcg}" -cpu max -m 256 -smp 1 \
    -nodefaults -no-user-config -display none -no-reboot -kernel "$image/vmlinux" -initrd "$image/initrd.img" \
    -append "console=ttyS0 reboot=t panic=-1 quiet ${khz:+tsc_early_khz=$khz }ignis.name=bare ip=$subnet_prefix.2::$subnet_prefix.1:24:bare:eth0:off" \
    -serial "file:$work/bare.console" -netdev tap,id=net0,ifname=tap0,script=no,downscript=no \
    -device virtio-net-device,netdev=net0,mac=02:00:00:00:00:02 -daemonize -pidfile "$work/bare.pid"
  until bare_answers; do sleep 0.01; done
  echo $(( ($(now) - start) / 1000000 ))
  kill "$(cat "$work/bare.pid")"
  while kill -0 "$(cat "$work/bare.pid")" 2>/dev/null; do sleep 0.01; done
  rm -f "$work/bare.pid"
}

# Round by round, the three ways one after another: the machine's speed drifts (other guests
# of its host), and a way measured in a block of its own would carry that drift.
: >"$work/samples"
: >"$work/inproc"
: >"$work/bare"
for i in $(seq "$runs"); do
  boot_once "b$i" $((31000 + i)) >>"$work/samples"
  pid=$(cat "$IGNIS_STATE_DIR/vms/$("$runtime" inspect "b$i" | sed -n 's/.*"id" : "\([0-9a-f]*\)".*/\1/p' | head -1)/qemu.pid")
  grep VmRSS "/proc/$pid/status" | awk '{print $2}' >>"$work/rss"
  "$runtime" rm -f "b$i" >/dev/null
  boot_once "p$i" $((33000 + i)) "env IGNIS_DAEMON=off $runtime" | awk '{print $1}' >>"$work/inproc"
  "$runtime" rm -f "p$i" >/dev/null
  bare_once >>"$work/bare"
done
total=$(awk '{print $1}' "$work/samples" | median)
network=$(awk '{print $2}' "$work/samples" | median)
guest=$(awk '{print $3}' "$work/samples" | median)
echo "boot to port 80 answering (default image, $accel, median of $runs): ${total} ms"
echo "  network attach ${network} ms, QEMU start to ready ${guest} ms, our own share $((total - network - guest)) ms"
echo "QEMU RSS per VM (-m 256): median $(( $(median <"$work/rss") / 1024 )) MiB"

bare=$(median <"$work/bare")
inproc=$(median <"$work/inproc")
echo "bare QEMU to port 80 (same image, hand-made netns and tap, median of $runs): ${bare} ms"
echo "run to port 80: through ignisd ${total} ms (+$((total - bare)) ms over bare QEMU), in its own process" \
  "${inproc} ms (+$((inproc - bare)) ms)"

# 16 runs one by one, then 16 at once both ways: from the first command to the last VM
# answering. And what this machine can give at all: two CPU-bound loops, and two loops of
# process starts (CNI plugins and iptables are such), at once against one after another.
sixteen() { # way parallel: prints ms
  local cmd=$runtime base=34000 start
  [ "$1" = inproc ] && cmd="env IGNIS_DAEMON=off $runtime" base=34100
  [ "$2" = 1 ] && base=34200
  start=$(now)
  for i in $(seq 16); do
    if [ "$2" = 1 ]; then $cmd run --name "c$1$2-$i" -p $((base + i)):80 >/dev/null 2>"$work/c$i.err" || true
    else $cmd run --name "c$1$2-$i" -p $((base + i)):80 >/dev/null 2>"$work/c$i.err" & fi
  done
  wait
  for i in $(seq 16); do
    grep -q error "$work/c$i.err" || until answers $((base + i)); do sleep 0.01; done
  done
  echo "$(( ($(now) - start) / 1000000 )) $(cat "$work"/c*.err | grep -c error || true)"
  for i in $(seq 16); do "$runtime" rm -f "c$1$2-$i" >/dev/null 2>&1 || true; done
}
read -r serial serial_failed < <(sixteen ignisd 1)
read -r together together_failed < <(sixteen ignisd 16)
read -r inproc16 inproc16_failed < <(sixteen inproc 16)
echo "16 runs through ignisd: one by one ${serial} ms, at once ${together} ms" \
  "($(awk -v a="$serial" -v b="$together" 'BEGIN {printf "%.2f", a / b}')x); failed: $((serial_failed + together_failed))"
echo "16 runs at once in their own processes: ${inproc16} ms; failed: ${inproc16_failed}"
spin() { local i=0; while [ $i -lt 200000 ]; do i=$((i + 1)); done; }
starts() { local i; for i in $(seq 100); do /bin/true; done; }
ceiling() { # function: ratio of twice one after another to twice at once
  local start one two
  start=$(now); $1; $1; one=$(( $(now) - start ))
  start=$(now); $1 & $1 & wait; two=$(( $(now) - start ))
  awk -v a="$one" -v b="$two" 'BEGIN {printf "%.2f", a / b}'
}
echo "this machine, two at once vs one after another: CPU-bound $(ceiling spin)x, process starts $(ceiling starts)x"

for running in 1 5 10; do
  while [ "$("$runtime" ps -o json | grep -c '"id"' || true)" -lt "$running" ]; do
    n=$("$runtime" ps -a -o json | grep -c '"id"' || true)
    "$runtime" run --name "bg$n" >/dev/null
  done
  set -- $(boot_once probe 32000)
  echo "run with $running VMs running: ${1} ms (network ${2} ms, guest ${3} ms)"
  "$runtime" rm -f probe >/dev/null
done
