#!/usr/bin/env bash
# Imported images (as root): `image import` of a busybox container image (time and ext4 size),
# and `runtime run IMAGE` until its page answers through a host port, against `runtime run` of
# the default image in the same rounds (the baseline). Medians of N, rounds alternating. Uses a
# CNI bridge network, state dir and ignisd of its own, and removes everything at the end.
# Usage: bench/images.sh [RUNS (default 5)]
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
work=$(mktemp -d /tmp/ignis-image-bench-XXXXXX)
suffix=$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
cleanup() {
  remove_vms
  "$runtime" image rm bench/web:1 >/dev/null 2>&1 || true
  ip link delete "ignb$suffix" 2>/dev/null || true
  "$here/scripts/remove-unused-cni-chains"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/net.d"
cat >"$work/net.d/10-bench.conflist" <<NET
{"cniVersion":"0.4.0","name":"bench","plugins":[
  {"type":"bridge","bridge":"ignb$suffix","isGateway":true,"isDefaultGateway":true,
   "ipam":{"type":"host-local","subnet":"10.$((150 + RANDOM % 90)).$((RANDOM % 250)).0/24","dataDir":"$work/ipam"}},
  {"type":"portmap","capabilities":{"portMappings":true}}]}
NET

# The image: one layer of the host's static busybox and a page, as 'docker save' writes it.
mkdir -p "$work/rootfs/bin" "$work/rootfs/www" "$work/save"
cp /bin/busybox "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sh"
echo '<h1>image</h1>' >"$work/rootfs/www/index.html"
tar --numeric-owner --owner=0 --group=0 -cf "$work/save/layer.tar" -C "$work/rootfs" .
diff_id=$(sha256sum "$work/save/layer.tar" | cut -d' ' -f1)
cat >"$work/save/config.json" <<CONFIG
{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/bin/busybox","httpd","-f","-p","80","-h","/www"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
CONFIG
echo '[{"Config":"config.json","RepoTags":["bench/web:1"],"Layers":["layer.tar"]}]' >"$work/save/manifest.json"
tar -cf "$work/web.tar" -C "$work/save" .

"$runtime" run --name warmup >/dev/null # builds the default image, probes KVM, starts ignisd
"$runtime" rm -f warmup >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
boot_once() { # name port [image]: ms from run until the page answers
  local start end
  start=$(now)
  "$runtime" run --name "$1" -p "$2:80" ${3:+"$3"} >/dev/null
  until answers "$2"; do sleep 0.01; done
  end=$(now)
  echo $(( (end - start) / 1000000 ))
}

imports="" base="" image=""
for round in $(seq 1 "$runs"); do
  start=$(now)
  "$runtime" image import "$work/web.tar" >/dev/null
  imports+="$(( ($(now) - start) / 1000000 )) "
  base+="$(boot_once "base-$round" "$(free_port)") "
  image+="$(boot_once "image-$round" "$(free_port)" bench/web:1) "
  "$runtime" rm -f "base-$round" "image-$round" >/dev/null
  [ "$round" = "$runs" ] || "$runtime" image rm bench/web:1 >/dev/null
done
size=$("$runtime" image inspect bench/web:1 | sed -n 's/.*"sizeBytes" : \([0-9]*\).*/\1/p')
m() { echo "$1" | tr ' ' '\n' | grep . | median; }
printf 'image import (busybox, %d KiB archive): median %d ms; ext4 image %d MiB (%d MiB on disk)\n' \
  $(( $(stat -c %s "$work/web.tar") / 1024 )) "$(m "$imports")" $((size / 1048576)) \
  $(( $(du -k "$(ls "$IGNIS_STATE_DIR"/oci-images/sha256/*/rootfs.ext4)" | cut -f1) / 1024 ))
printf 'run to port 80: default image %d ms, imported image %d ms (%s x)\n' "$(m "$base")" "$(m "$image")" \
  "$(awk -v a="$(m "$image")" -v b="$(m "$base")" 'BEGIN {printf "%.2f", a / b}')"
echo "(medians of $runs rounds)"
