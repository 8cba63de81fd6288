#!/usr/bin/env bash
# `run` with one, two and four networks (as root): `runtime run` until the VM answers on port 80
# through a host port of its first network, median of N, alternating round by round, with the
# ratio to one network; and the attach time (all networks, from the runtime's timing line) from
# which the time per extra network follows. Each network is a CNI bridge network of its own
# (bridge, /24, conf and IPAM dirs); uses its own state dir and ignisd, and removes everything
# at the end. Usage: bench/networks.sh [RUNS (default 5)]
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
work=$(mktemp -d /tmp/ignis-net-bench-XXXXXX)
suffix=$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
second_octet=$((150 + RANDOM % 90))
third_base=$((RANDOM % 250))
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
cleanup() {
  remove_vms
  for n in 0 1 2 3; do ip link delete "ignb$suffix$n" 2>/dev/null || true; done
  "$here/scripts/remove-unused-cni-chains"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/net.d"
for n in 0 1 2 3; do
  # The first network is the default (first by file name) and the only one with a gateway route.
  cat >"$work/net.d/1$n-bench.conflist" <<NET
{"cniVersion":"0.4.0","name":"bench$n","plugins":[
  {"type":"bridge","bridge":"ignb$suffix$n","isGateway":true,"isDefaultGateway":$([ $n = 0 ] && echo true || echo false),
   "ipam":{"type":"host-local","subnet":"10.$second_octet.$((third_base + n)).0/24","dataDir":"$work/ipam"}},
  {"type":"portmap","capabilities":{"portMappings":true}}]}
NET
done
"$runtime" run --name warmup --network cni --network cni:bench1 >/dev/null # builds the image, probes KVM
"$runtime" rm -f warmup >/dev/null

networks_of() { # count: the --network options of that many networks
  local n
  echo "--network cni"
  for n in $(seq 1 $(($1 - 1))); do echo "--network cni:bench$n"; done
}
boot_once() { # name port count: prints "total_ms attach_ms"
  local start end lines
  start=$(now)
  # shellcheck disable=SC2046
  lines=$("$runtime" -v run --name "$1" -p "$2:80" $(networks_of "$3") 2>&1 >/dev/null | grep 'timing:')
  until answers "$2"; do sleep 0.01; done
  end=$(now)
  echo "$(( (end - start) / 1000000 )) $(echo "$lines" | tail -1 | sed -n 's/.*network \([0-9]*\) ms, guest.*/\1/p')"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

declare -A total attach
for round in $(seq 1 "$runs"); do
  for count in 1 2 4; do
    read -r t a < <(boot_once "n$count-$round" "$(free_port)" "$count")
    total[$count]+="$t "
    attach[$count]+="$a "
    "$runtime" rm -f "n$count-$round" >/dev/null
  done
done
one=$(echo "${total[1]}" | tr ' ' '\n' | grep . | median)
one_attach=$(echo "${attach[1]}" | tr ' ' '\n' | grep . | median)
for count in 1 2 4; do
  t=$(echo "${total[$count]}" | tr ' ' '\n' | grep . | median)
  a=$(echo "${attach[$count]}" | tr ' ' '\n' | grep . | median)
  extra=$([ "$count" = 1 ] && echo "-" || echo "$(( (a - one_attach) / (count - 1) )) ms")
  printf 'networks %d: run to port 80 median %5d ms (%s x one network), attach %4d ms, per extra network %s\n' \
    "$count" "$t" "$(awk -v t="$t" -v o="$one" 'BEGIN {printf "%.2f", t / o}')" "$a" "$extra"
done
echo "(medians of $runs rounds; rounds alternate 1, 2, 4 networks)"
