#!/usr/bin/env bash
# Boot to network-ready of the default image (as root): `runtime run` until the VM answers on
# port 80 through its mapped host port, median of N, split into the command's way to the VM's
# start (client JVM, request, record), the attach (sandbox, QEMU start, plugin: the guest boots
# meanwhile) and the guest's rest to ready; QEMU's RSS per VM; `run` through ignisd against `run` in its own process (IGNIS_DAEMON=off) and
# against a bare QEMU boot of the same image in a hand-made netns and tap (the floor),
# alternating round by round; 16 runs one by one and at once, and 16 bare QEMU boots the same
# two ways (the machine's own ceiling for this work), with the share of CPU time left idle;
# and `run` with 1, 5 and 10 VMs already running. Uses its own
# state dir, CNI network (bridge, /24, conf and IPAM dirs), netns and ignisd, and removes
# everything at the end. Usage: bench/boot.sh [RUNS (default 10)]
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10}
work=$(mktemp -d /tmp/ignis-boot-bench-XXXXXX)
suffix=$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
bridge=igbb$suffix
subnet_prefix=10.$((150 + RANDOM % 90)).$((RANDOM % 256))
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
cleanup() {
  remove_vms
  for n in $(seq 0 16); do
    [ -f "$work/bare$n.pid" ] && kill "$(cat "$work/bare$n.pid")" 2>/dev/null || true
    ip netns delete "igbare$suffix-$n" 2>/dev/null || true
  done
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

boot_once() { # name port [runtime command]: prints "total_ms network_ms guest_ms before_ms"
  local start end lines began
  start=$(now)
  lines=$(${3:-$runtime} -v run --name "$1" -p "$2:80" 2>&1 >/dev/null | grep 'timing:')
  until answers "$2"; do sleep 0.01; done
  end=$(now)
  # before: from the command to the runtime's start of the VM (the client, the request, the
  # record), by the time stamp of the first timing line (ignisd's lines have one)
  began=$(date -d "$(echo "$lines" | head -1 | cut -d' ' -f1)" +%s%N 2>/dev/null || echo "$start")
  echo "$(( (end - start) / 1000000 )) $(echo "$lines" | tail -1 | sed -n 's/.*network \([0-9]*\) ms, guest \([0-9]*\) ms.*/\1 \2/p')" \
    "$(( (began - start) / 1000000 ))"
}

# The floor: QEMU alone booting the same kernel, initrd and command line on a tap in a netns
# made by hand. Each bare guest has a netns of its own, so all use the same addresses.
bare_gateway=$subnet_prefix.201 bare_guest=$subnet_prefix.202
bare_netns() { # n: a netns with a tap at $bare_gateway, its guest at $bare_guest
  ip netns add "igbare$suffix-$1"
  ip -n "igbare$suffix-$1" link set lo up
  ip -n "igbare$suffix-$1" tuntap add tap0 mode tap
  ip -n "igbare$suffix-$1" addr add "$bare_gateway/30" dev tap0
  ip -n "igbare$suffix-$1" link set tap0 up
}
for n in $(seq 0 16); do bare_netns "$n"; done
image=$IGNIS_IMAGES_DIR/default
accel=$(cut -d' ' -f1 "$IGNIS_IMAGES_DIR/accel-probe" 2>/dev/null || echo "?")
khz=$(awk '/^cpu MHz/ {printf "%d", $4 * 1000; exit}' /proc/cpuinfo) # as the runtime passes it
mkfifo "$work/idle"
exec 9<>"$work/idle" # read -t on it: a sleep without a process
ready_line() { # console: true once it holds the guest's ready line (read by the shell itself)
  local line
  while IFS= read -r line; do [[ $line == IGNIS-READY* ]] && return 0; done <"$1"
  return 1
}
bare_start() { # n: QEMU started in netns n, as the runtime starts it
  rm -f "$work/bare$1.console"
  ip netns exec "igbare$suffix-$1" qemu-system-x86_64 -name "bare$1" -M microvm,rtc=on -accel "${accel/\?/tcg}" \
    -cpu max -m 256 -smp 1 -nodefaults -no-user-config -display none -no-reboot -kernel "$image/vmlinux" \
    -initrd "$image/initrd.img" \
    -append "console=ttyS0 reboot=t panic=-1 quiet ${khz:+tsc_early_khz=$khz }ignis.name=bare ip=$bare_guest::$bare_gateway:30:bare:eth0:off" \
    -serial "file:$work/bare$1.console" -netdev tap,id=net0,ifname=tap0,script=no,downscript=no \
    -device virtio-net-device,netdev=net0,mac=02:00:00:00:00:02 -daemonize -pidfile "$work/bare$1.pid"
}
bare_ready() { # n: waits as `run` does: the ready line on the console first, looked for every 50 ms
  # without starting a process (each one here costs CPU the guest needs); then the page, as
  # `answers` asks a VM. (Connecting before the guest has its address costs a lost SYN: a second.)
  local waited=0
  until ready_line "$work/bare$1.console" 2>/dev/null; do
    read -r -t 0.05 -u 9 _ || true
    if [ $((waited += 1)) -gt 2400 ]; then echo "bare QEMU $1 was not ready within 120 s" >&2; return 1; fi
  done
  timeout 120 ip netns exec "igbare$suffix-$1" bash -c "$(declare -f answers); until answers $bare_guest 80; do sleep 0.01; done" \
    || { echo "bare QEMU $1: its page did not answer within 120 s" >&2; return 1; }
}
bare_stop() { # n: until the process is gone (QEMU deletes its pid file before it lets go of the tap)
  local pid
  pid=$(cat "$work/bare$1.pid")
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  rm -f "$work/bare$1.pid"
}
bare_once() { # prints ms until the guest's page answers
  local start
  start=$(now)
  bare_start 0
  bare_ready 0
  echo $(( ($(now) - start) / 1000000 ))
  bare_stop 0
}

# Round by round, the three ways one after another: the machine's speed drifts (other guests
# of its host), and a way measured in a block of its own would carry that drift.
: >"$work/samples"
: >"$work/inproc"
: >"$work/bare"
for i in $(seq "$runs"); do
  boot_once "b$i" $((31000 + i)) >>"$work/samples"
  pid=$(cat "$IGNIS_STATE_DIR/vms/$("$runtime" inspect "b$i" | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p' | head -1)/qemu.pid")
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
before=$(awk '{print $4}' "$work/samples" | median)
rest=$(awk '{print $1 - $2 - $3 - $4}' "$work/samples" | median)
echo "  command to the VM's start ${before} ms; then sandbox, QEMU start and network attach ${network} ms, then" \
  "guest to ready ${guest} ms (the guest boots during the attach); the rest ${rest} ms (medians of each)"
echo "QEMU RSS per VM (-m 256): median $(( $(median <"$work/rss") / 1024 )) MiB"

bare=$(median <"$work/bare")
inproc=$(median <"$work/inproc")
echo "bare QEMU to port 80 (same image, hand-made netns and tap, median of $runs): ${bare} ms"
echo "run to port 80: through ignisd ${total} ms (+$((total - bare)) ms over bare QEMU), in its own process" \
  "${inproc} ms (+$((inproc - bare)) ms)"

# 16 runs one by one, then 16 at once both ways: from the first command to the last VM
# answering; and the same for 16 bare QEMU boots, the most this machine gives for this work.
# With the CPU time all processes took (from /proc/stat): how much of it two CPUs leave idle.
busy() { awk '/^cpu / {print ($2 + $3 + $4 + $7 + $8) * 10}' /proc/stat; } # ms, of all CPUs
sixteen() { # way parallel: prints "ms failures cpu_ms"
  local cmd=$runtime base=34000 start cpu
  [ "$1" = inproc ] && cmd="env IGNIS_DAEMON=off $runtime" base=34100
  [ "$2" = 1 ] && base=34200
  start=$(now) cpu=$(busy)
  for i in $(seq 16); do
    if [ "$2" = 1 ]; then $cmd run --name "c$1$2-$i" -p $((base + i)):80 >/dev/null 2>"$work/c$i.err" || true
    else $cmd run --name "c$1$2-$i" -p $((base + i)):80 >/dev/null 2>"$work/c$i.err" & fi
  done
  wait
  for i in $(seq 16); do
    grep -q error "$work/c$i.err" || until answers $((base + i)); do sleep 0.01; done
  done
  local result
  result="$(( ($(now) - start) / 1000000 )) $(cat "$work"/c*.err | grep -c error || true) $(( $(busy) - cpu ))"
  grep -h error "$work"/c*.err | sort | uniq -c | sed "s/^/  failed ($1, $2 at a time): /" >&2 || true
  for i in $(seq 16); do "$runtime" rm -f "c$1$2-$i" >/dev/null 2>&1 || true; done
  echo "$result" # last: the reader goes on only once these VMs are gone
}
bare_sixteen() { # parallel: prints "ms cpu_ms"; the guests stay up until the last answers, as VMs do
  local start cpu i
  start=$(now) cpu=$(busy)
  for i in $(seq 16); do
    if [ "$1" = 1 ]; then bare_start "$i"; bare_ready "$i"; else bare_start "$i" & fi
  done
  wait
  for i in $(seq 16); do bare_ready "$i"; done
  local result
  result="$(( ($(now) - start) / 1000000 )) $(( $(busy) - cpu ))"
  for i in $(seq 16); do bare_stop "$i"; done
  echo "$result" # last: the reader goes on only once these guests are gone
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
idle() { awk -v ms="$1" -v cpu="$2" 'BEGIN {printf "%d%%", 100 - 100 * cpu / (2 * ms)}'; }
failed() { echo "bench: $1 failed" >&2; exit 1; }
read -r serial serial_failed serial_cpu < <(sixteen ignisd 1) || failed "16 runs one by one"
read -r together together_failed together_cpu < <(sixteen ignisd 16) || failed "16 runs at once"
read -r inproc16 inproc16_failed inproc16_cpu < <(sixteen inproc 16) || failed "16 runs at once in their own processes"
read -r bare_serial bare_serial_cpu < <(bare_sixteen 1) || failed "16 bare QEMU boots one by one"
read -r bare_together bare_together_cpu < <(bare_sixteen 16) || failed "16 bare QEMU boots at once"
echo "16 runs through ignisd: one by one ${serial} ms (CPUs $(idle "$serial" "$serial_cpu") idle), at once" \
  "${together} ms ($(idle "$together" "$together_cpu") idle): $(ratio "$serial" "$together")x; failed: $((serial_failed + together_failed))"
echo "16 runs at once in their own processes: ${inproc16} ms; failed: ${inproc16_failed}"
echo "16 bare QEMU boots: one by one ${bare_serial} ms (CPUs $(idle "$bare_serial" "$bare_serial_cpu") idle), at once" \
  "${bare_together} ms ($(idle "$bare_together" "$bare_together_cpu") idle): $(ratio "$bare_serial" "$bare_together")x"
spin() { local i=0; while [ $i -lt 200000 ]; do i=$((i + 1)); done; }
starts() { local i; for i in $(seq 100); do /bin/true; done; }
ceiling() { # function: ratio of twice one after another to twice at once
  local start one two
  start=$(now); $1; $1; one=$(( $(now) - start ))
  start=$(now); $1 & $1 & wait; two=$(( $(now) - start ))
  ratio "$one" "$two"
}
echo "this machine, two at once vs one after another: CPU-bound loops $(ceiling spin)x, process starts $(ceiling starts)x"

for running in 1 5 10; do
  while [ "$("$runtime" ps -o json | grep -c '"id"' || true)" -lt "$running" ]; do
    n=$("$runtime" ps -a -o json | grep -c '"id"' || true)
    "$runtime" run --name "bg$n" >/dev/null
  done
  set -- $(boot_once probe 32000)
  echo "run with $running VMs running: ${1} ms (network ${2} ms, guest ${3} ms)"
  "$runtime" rm -f probe >/dev/null
done
