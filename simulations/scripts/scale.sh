#!/usr/bin/env bash
# Skein's membership at scale: N simulated nodes (real membership, certificates, routes and Atomix gossip; the
# data plane in memory) in one JVM, inside a network namespace of their own. The gossip goes in memory, or with
# --transport loopback over the namespace's loopback device. Measures join and removal times, gossip traffic,
# CPU and memory per node, and routes under churn, for each size; writes docs/simulations-table.md and
# docs/simulations.svg with OUT=docs. Needs root. About 8 minutes with the defaults.
#
#   sudo simulations/scripts/scale.sh                         N = 16, 64 and 256
#   ARGS="--sizes 16,64 --transport loopback" sudo simulations/scripts/scale.sh
#   SIZES=16,64 REPS=3 CHURN=30 sudo simulations/scripts/scale.sh
#   ARGS="--partition 64 15" sudo simulations/scripts/scale.sh  two halves for 15 s, then heal
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "scale.sh: needs root (a network namespace)" >&2; exit 1; }
jar="$root/tools/target/skein.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
classes="$root/simulations/target/classes"
ns=skein-sim-$$
cleanup() { ip netns pids $ns 2>/dev/null | xargs -r kill -9; ip netns del $ns 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add $ns
java=java
for home in /usr/lib/jvm/*; do [ -x "$home/bin/java" ] && java="$home/bin/java"; done  # the newest sorts last
# On the virtual clock one thread runs every node, and a blocked node's wait runs the others inside it: a deep
# stack; and ASM (its class rewriting) goes before skein.jar, which carries Kryo's older copy. Otherwise
# thousands of threads: a small stack each.
asm= stack=512k
case "${ARGS:-}" in *--virtual-clock*)
  stack=8m
  asm=$(cd "$root" && mvn -B -q -o dependency:build-classpath -pl simulations -Dmdep.outputFile=/dev/stdout \
    2>/dev/null | tr ':' '\n' | grep '/org/ow2/asm/asm/' | head -1 || true) ;;
esac
ip netns exec $ns "$java" ${SIM_JAVA_OPTS:-} -Xmx${HEAP:-12g} -Xss$stack --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
  --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "$classes:${asm:+$asm:}$jar" dev.skein.simulations.Scale ${ARGS:---sizes "${SIZES:-16,64,256}" --reps "${REPS:-3}" \
  --churn-seconds "${CHURN:-60}" ${OUT:+--out "$OUT"}}
