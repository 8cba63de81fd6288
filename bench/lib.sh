# Shared by the whole-command benchmarks (sourced, not run): the installation under test, a
# state dir and CNI dirs of the bench's own under $work, and helpers. Expects $work and $here.
dist=$(ls -d "$here"/distribution/target/ignis-*/ignis-* | head -1)
export IGNIS_STATE_DIR=$work/state IGNIS_PLUGIN_CNI_CONF_DIR=$work/net.d IGNIS_PLUGIN_CNI_CACHE_DIR=$work/cni
export IGNIS_IMAGES_DIR=${IGNIS_IMAGES_DIR:-$here/distribution/target/images}
runtime=$dist/bin/runtime

# Removes the bench's VMs, collects what is left and stops its ignisd.
remove_vms() {
  for id in $("$runtime" ps -a -o json 2>/dev/null | sed -n 's/.*"id": *"\([0-9a-f]*\)".*/\1/p'); do
    "$runtime" rm -f "$id" >/dev/null 2>&1 || true
  done
  "$runtime" gc >/dev/null 2>&1 || true
  "$runtime" daemon stop >/dev/null 2>&1 || true
}

now() { date +%s%N; }

answers() { # [host] port: true once the VM's web server answers (through the host port)
  [ $# = 2 ] && set -- "$2" "$1" || set -- "$1" 127.0.0.1
  exec 3<>"/dev/tcp/$2/$1" 2>/dev/null || return 1
  printf 'GET / HTTP/1.0\r\n\r\n' >&3
  grep -q '<h1>' <&3
  local status=$?
  exec 3<&-
  return $status
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
