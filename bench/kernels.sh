#!/usr/bin/env bash
# Guest kernels (as root): the default image's lean kernel against Debian's kernel, each booted
# by bare QEMU as the runtime starts it (microvm, -m 256, quiet, no network card), N rounds
# alternating. Per boot: the kernel's time to /init (its own clock: the "Run /..." line of dmesg,
# read by a wrapper init that then runs Ignis' init), QEMU start to the guest's ready line, and
# QEMU's RSS once ready. Three setups: the baseline (Debian's kernel with its modules in a gzip
# initramfs: the default image before the lean kernel), Debian's kernel with the uncompressed
# initramfs, and the lean kernel with it. Also the lean kernel's build time (from an empty cache,
# only with BUILD=1: minutes) and the size of each vmlinux.
# Usage: bench/kernels.sh [ROUNDS (default 5)]
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
work=$(mktemp -d /tmp/ignis-kernel-bench-XXXXXX)
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
cleanup() {
  [ -f "$work/qemu.pid" ] && kill "$(cat "$work/qemu.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ "${BUILD:-0}" = 1 ]; then
  began=$(now)
  IGNIS_KERNEL_CACHE=$work/kernel-cache "$dist/bin/build-kernel" "$work/built" 2>&1 | tail -1
  echo "lean kernel build from an empty cache: $(( ($(now) - began) / 1000000000 )) s"
fi
echo "building both images (the lean kernel comes from the cache)..." >&2
"$dist/bin/build-default-image" "$work/lean" 2>/dev/null
IGNIS_DEFAULT_KERNEL=debian "$dist/bin/build-default-image" "$work/debian" 2>/dev/null
gzip -9 <"$work/debian/initrd.img" >"$work/debian/initrd.gz" # as the default image's was before

# The wrapper init: dmesg's "Run /..." line (the kernel's time to init), then Ignis' /init.
mkdir -p "$work/wrapper"
cat >"$work/wrapper/timing-init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "TIMING $(/bin/busybox dmesg | /bin/busybox grep -m1 'Run /')" >/dev/console
/bin/busybox umount /proc
exec /init
INIT
chmod 755 "$work/wrapper/timing-init"
(cd "$work/wrapper" && echo timing-init | busybox cpio -o -H newc 2>/dev/null) >"$work/wrapper.cpio"
with_wrapper() { # initrd out: the initrd with the wrapper appended on a 4-byte boundary
  local size
  size=$(stat -c %s "$1")
  { cat "$1"; head -c $(( (4 - size % 4) % 4 )) /dev/zero; cat "$work/wrapper.cpio"; } >"$2"
}
with_wrapper "$work/debian/initrd.gz" "$work/baseline.img"
with_wrapper "$work/debian/initrd.img" "$work/debian.img"
with_wrapper "$work/lean/initrd.img" "$work/lean.img"

khz=$(awk '/^cpu MHz/ {printf "%d", $4 * 1000; exit}' /proc/cpuinfo) # as the runtime passes it
boot() { # kernel initrd: prints "init_ms ready_ms rss_mib"
  local console=$work/console.log start ready pid rss init
  rm -f "$console" "$work/qemu.pid"
  start=$(now)
  qemu-system-x86_64 -name bench -M microvm,rtc=on -accel tcg -cpu max -m 256 -smp 1 -nodefaults -no-user-config \
    -display none -no-reboot -kernel "$1" -initrd "$2" -serial "file:$console" -daemonize -pidfile "$work/qemu.pid" \
    -append "console=ttyS0 reboot=t panic=-1 quiet tsc_early_khz=$khz ignis.name=bench rdinit=/timing-init"
  until grep -q IGNIS-READY "$console" 2>/dev/null; do
    [ $(( $(now) - start )) -lt 30000000000 ] || { echo "bench: no ready line; console: $(tail -3 "$console")" >&2; exit 1; }
    sleep 0.005
  done
  ready=$(( ($(now) - start) / 1000000 ))
  sleep 0.5 # settled
  pid=$(cat "$work/qemu.pid")
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  init=$(sed -n 's/^TIMING \[ *\([0-9.]*\)\].*/\1/p' "$console" | awk '{printf "%d", $1 * 1000}')
  echo "$init $ready $rss"
}
for setup in baseline debian lean; do : >"$work/$setup.results"; done
for round in $(seq "$rounds"); do
  boot "$work/debian/vmlinux" "$work/baseline.img" >>"$work/baseline.results"
  boot "$work/debian/vmlinux" "$work/debian.img" >>"$work/debian.results"
  boot "$work/lean/vmlinux" "$work/lean.img" >>"$work/lean.results"
  echo "round $round of $rounds done" >&2
done
column() { # setup column: "median (min-max)"
  local values
  values=$(awk -v c="$2" '{print $c}' "$work/$1.results" | sort -n)
  echo "$(echo "$values" | median) ($(echo "$values" | head -1)-$(echo "$values" | tail -1))"
}
printf '%-44s %16s %16s %14s %10s\n' "setup: median (min-max) of $rounds" "to /init ms" "to ready ms" "RSS MiB" "vmlinux"
for setup in baseline debian lean; do
  case $setup in
    baseline) label="Debian kernel, gzip initramfs with modules"; kernel=$work/debian/vmlinux ;;
    debian) label="Debian kernel, uncompressed initramfs" ; kernel=$work/debian/vmlinux ;;
    lean) label="lean kernel, uncompressed initramfs"; kernel=$work/lean/vmlinux ;;
  esac
  printf '%-44s %16s %16s %14s %6s MiB\n' "$label" "$(column $setup 1)" "$(column $setup 2)" "$(column $setup 3)" \
    "$(( $(stat -c %s "$kernel") / 1048576 ))"
done
echo "kernels: $(cat "$work/lean/kernel-release") and $(cat "$work/debian/kernel-release")"
