#!/usr/bin/env bash
# The cni plugin's costs against the real CNI plugins (as root): ADD/DEL overhead over the
# plugin processes, 50 concurrent attachments, ADD latency with 1/100/500 VMs attached.
# Usage: bench/cni.sh [MAX_ATTACHED (default 500)]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl bench -am >/dev/null
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$PWD/bench/target/classpath.txt" >/dev/null
exec java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.ignis.bench.CniBench "$@"
