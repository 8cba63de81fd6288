#!/usr/bin/env bash
# The flannel plugin's data planes against the underlay, same run (as root): iperf3 throughput
# and ping latency between sandboxes attached through the plugin on two nodes, over vxlan,
# host-gw and udp, as ratios to the veth underlay between the node namespaces and to a
# hand-made vxlan of the same MTU between the same nodes (the floor for vxlan here); the node
# agent's RSS after each run; the time from a new node's lease in etcd to the route to it on
# another node; and a soak with a fast lease TTL (renewals, an etcd kill -9 and restart) after
# which etcd must hold one lease per node. Nodes are network namespaces on a bridged underlay
# of their own (random 192.168.x.0/24 and 10.x.0.0/16); everything is removed at the end, also
# on failure.
# Usage: bench/flannel.sh [SECONDS per iperf3 run (default 5)] [SOAK SECONDS (default 120)]
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in iperf3 etcdctl bc; do
  command -v "$tool" >/dev/null || { echo "bench/flannel.sh needs $tool (apt-get install iperf3 etcd-client bc)" >&2; exit 1; }
done
secs=${1:-5}
soak=${2:-120}
mvn -B -q install -DskipTests >/dev/null
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$PWD/bench/target/classpath.txt" >/dev/null
dist=$(ls -d "$PWD"/distribution/target/ignis-*/ignis-* | head -1)
cp="$PWD/bench/target/classes:$(cat bench/target/classpath.txt)"

suffix=$(printf '%04x' $((RANDOM % 65536)))
prefix="192.168.$((100 + RANDOM % 150))."
network="10.$((150 + RANDOM % 90)).0.0/16"
work=$(mktemp -d /tmp/ignis-flannel-bench-XXXXXX)
underlay="ignis-fb-$suffix-u"
sandboxes=()

node_env() {
  local n=$1 d="$work/node$1"
  echo IGNIS_STATE_DIR="$d/state" IGNIS_PLUGINS_DIR="$dist/plugins" IGNIS_CONFIG="$d/none" \
    IGNIS_PLUGIN_FLANNEL_SUBNET_FILE="$d/subnet.env" IGNIS_PLUGIN_FLANNEL_CNI_CONF_DIR="$d/net.d" \
    IGNIS_PLUGIN_FLANNEL_CNI_CACHE_DIR="$d/cni-cache" IGNIS_PLUGIN_FLANNEL_IPAM_DIR="$d/ipam" \
    IGNIS_PLUGIN_FLANNEL_LEASE_TTL="${lease_ttl:-86400}"
}
in_node() { local n=$1; shift; env $(node_env "$n") nsenter --net="/run/netns/ignis-fb-$suffix-n$n" -- "$@"; }
flannel() { local n=$1; shift; in_node "$n" "$dist/bin/runtime" --network-plugin flannel bootstrap "$@" >/dev/null; }
sandbox() { # node name -> sets sandbox_ip (not in a subshell: the list of sandboxes must grow)
  local n=$1 ns="ignis-fb-$suffix-$2" id
  id=$(printf '%08x%08x' $((RANDOM * 65536 + RANDOM)) $((RANDOM * 65536 + RANDOM)))
  ip netns add "$ns" && sandboxes+=("$n $ns $id")
  sandbox_ip=$(in_node "$n" java -cp "$cp" dev.ignis.bench.FlannelSandbox attach "$ns" "$id")
}
drop_sandboxes() {
  for s in "${sandboxes[@]}"; do
    set -- $s
    in_node "$1" java -cp "$cp" dev.ignis.bench.FlannelSandbox detach "$2" "$3" >/dev/null 2>&1 || true
    ip netns delete "$2" 2>/dev/null || true
  done
  sandboxes=()
}
cleanup() {
  drop_sandboxes
  for n in 3 2 1; do flannel "$n" cleanup --purge 2>/dev/null || true; done
  pkill -f "$work" 2>/dev/null || true
  for n in 1 2 3; do ip netns delete "ignis-fb-$suffix-n$n" 2>/dev/null || true; done
  ip netns delete "$underlay" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$underlay"
ip -n "$underlay" link add br0 type bridge && ip -n "$underlay" link set br0 up
for n in 1 2 3; do
  ns="ignis-fb-$suffix-n$n"
  ip netns add "$ns"
  ip link add eth0 netns "$ns" type veth peer name "igb$suffix$n" netns "$underlay"
  ip -n "$underlay" link set "igb$suffix$n" master br0 up
  ip -n "$ns" addr add "$prefix$n/24" dev eth0 && ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up
  mkdir -p "$work/node$n"
done

throughput() { # client-netns server-netns server-ip -> Mbit/s
  ip netns exec "$2" iperf3 -s -1 -D -B "$3" >/dev/null
  sleep 0.3
  ip netns exec "$1" iperf3 -c "$3" -t "$secs" -f m | awk '/receiver/ {print $(NF-2)}'
}
latency() { # netns ip -> average RTT in ms
  ip netns exec "$1" ping -q -c 20 -i 0.2 "$2" | awk -F/ '/rtt|round-trip/ {print $5}'
}

agent_rss() { # node -> the node agent's resident set in MB
  echo $(( $(ps -o rss= -p "$(cat "$work/node$1/state/plugins/flannel/agent.pid")") / 1024 ))
}

base_tp=$(throughput "ignis-fb-$suffix-n1" "ignis-fb-$suffix-n2" "${prefix}2")
base_rtt=$(latency "ignis-fb-$suffix-n1" "${prefix}2")
# The floor for vxlan: a hand-made vxlan device between the two nodes, flannel's MTU (1450).
hand="172.31.$((RANDOM % 250))"
for n in 1 2; do
  ip -n "ignis-fb-$suffix-n$n" link add hv0 type vxlan id 4242 local "$prefix$n" remote "$prefix$((3 - n))" \
    dstport 4789 dev eth0
  ip -n "ignis-fb-$suffix-n$n" link set hv0 mtu 1450 up
  ip -n "ignis-fb-$suffix-n$n" addr add "$hand.$n/30" dev hv0
done
hand_tp=$(throughput "ignis-fb-$suffix-n1" "ignis-fb-$suffix-n2" "$hand.2")
for n in 1 2; do ip -n "ignis-fb-$suffix-n$n" link delete hv0; done
printf '%-9s %12s %8s %10s %8s %10s %8s\n' path Mbit/s ratio rtt_ms ratio vs_vxlan agent_MB
printf '%-9s %12s %8s %10s %8s %10s %8s\n' underlay "$base_tp" 1.00 "$base_rtt" 1.00 - -
printf '%-9s %12s %8.2f %10s %8s %10s %8s\n' hand-vxlan "$hand_tp" "$(echo "$hand_tp / $base_tp" | bc -l)" - - 1.00 -
for backend in vxlan host-gw udp; do
  flannel 1 init --insecure --backend "$backend" --network "$network"
  flannel 2 join "${prefix}1" --insecure
  sandbox 1 a && a=$sandbox_ip
  sandbox 2 b && b=$sandbox_ip
  sleep 1
  tp=$(throughput "ignis-fb-$suffix-a" "ignis-fb-$suffix-b" "$b")
  rtt=$(latency "ignis-fb-$suffix-a" "$b")
  printf '%-9s %12s %8.2f %10s %8.2f %10.2f %8s\n' "$backend" "$tp" "$(echo "$tp / $base_tp" | bc -l)" "$rtt" \
    "$(echo "$rtt / $base_rtt" | bc -l)" "$(echo "$tp / $hand_tp" | bc -l)" "$(agent_rss 1)"
  if [ "$backend" = vxlan ]; then
    # A third node joins: from its lease appearing in etcd to the route to it on node 1.
    ( while ! ip netns exec "ignis-fb-$suffix-n1" etcdctl --endpoints "http://${prefix}1:2379" get --prefix \
          /coreos.com/network/subnets/ | grep -q "\"PublicIP\":\"${prefix}3\""; do sleep 0.01; done
      date +%s%N >"$work/lease-seen" ) &
    ( while ! ip -n "ignis-fb-$suffix-n1" route show proto 73 | grep -q "${network%.0.0/16}.3.0/24"; do sleep 0.01; done
      date +%s%N >"$work/route-seen" ) &
    flannel 3 join "${prefix}1" --insecure
    wait
    echo "new node: lease in etcd -> route on node 1: $(( ($(cat "$work/route-seen") - $(cat "$work/lease-seen")) / 1000000 )) ms"
    flannel 3 cleanup
  fi
  drop_sandboxes
  flannel 2 cleanup
  flannel 1 cleanup --purge
done

# Soak: leases renewed every few seconds (TTL 10 s), etcd killed and started again halfway;
# afterwards etcd must hold exactly one lease per node (no orphans from renewals or sessions).
lease_ttl=10
flannel 1 init --insecure --network "$network"
flannel 2 join "${prefix}1" --insecure
sleep $((soak / 2))
kill -9 "$(cat "$work/node1/state/plugins/flannel/etcd.pid")"
sleep 1
flannel 1 start
sleep $((soak - soak / 2))
leases=$(ip netns exec "ignis-fb-$suffix-n1" etcdctl --endpoints "http://${prefix}1:2379" lease list | head -1)
echo "soak ${soak} s, lease TTL 10 s, etcd restarted once: etcd says '$leases' for 2 nodes; agent RSS $(agent_rss 1) MB"
flannel 2 cleanup
flannel 1 cleanup --purge
