#!/usr/bin/env bash
# Attach/detach latency of the docker-bridge plugin against the cni plugin, same run (as root).
# Starts a dockerd of its own inside a network namespace of its own (own socket, data-root,
# exec-root, --bip subnet), never the host's daemon, and removes everything at the end.
# Usage: bench/docker-bridge.sh [ROUNDS (default 20)]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl bench -am >/dev/null
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$PWD/bench/target/classpath.txt" >/dev/null

suffix=$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
netns="ignis-bench-docker-$suffix"
root=$(mktemp -d /tmp/ignis-docker-bench-XXXXXX)
bip="10.$((150 + RANDOM % 90)).$((RANDOM % 256)).1"
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then
    docker -H "unix://$root/docker.sock" ps -aq | xargs -r docker -H "unix://$root/docker.sock" rm -f >/dev/null || true
    kill "$daemon" 2>/dev/null || true
    for _ in $(seq 1 100); do [ -e "/proc/$daemon" ] || break; sleep 0.2; done
  fi
  grep -o " $root[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  ip netns delete "$netns" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
ip netns add "$netns"
ip -n "$netns" link set lo up
nsenter --net="/run/netns/$netns" -- dockerd --host "unix://$root/docker.sock" --data-root "$root/data" \
  --exec-root "$root/exec" --pidfile "$root/dockerd.pid" --bip "$bip/24" --dns "$bip" --log-level warn \
  >"$root/dockerd.log" 2>&1 &
daemon=$! # nsenter execs dockerd: this is dockerd's pid
for _ in $(seq 1 150); do docker -H "unix://$root/docker.sock" version >/dev/null 2>&1 && break; sleep 0.2; done
java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.ignis.bench.DockerBridgeBench \
  "unix://$root/docker.sock" "${1:-20}"
