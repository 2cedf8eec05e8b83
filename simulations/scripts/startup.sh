#!/usr/bin/env bash
# How fast Skein starts, as a user meets it: two namespaces on a veth pair (198.18.0.1/.2); a seed runs in the
# first; in the second `skein up` is launched and the overlay is pinged every 20 ms until the first reply comes
# back (the wall time from launch: JVM start, the TUN device, the join, the handshake). Then `skein peers`
# against that node, wall time, at once and again 3 s later. REPS repetitions of both (default 5); prints each and the median.
#   sudo simulations/scripts/startup.sh            REPS=5
#   CLASSLISTS=dir sudo simulations/scripts/startup.sh   ... and write the classes the node and `skein peers`
#       load to dir/up.classlist and dir/cli.classlist (the launcher's class-data-sharing lists, tools/src/main/cds)
# Needs root, iproute2 and iputils-ping. Everything it creates is removed on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
skein="${SKEIN:-$root/skein}"
reps=${REPS:-5}
a=skein-start-a
b=skein-start-b
work=$(mktemp -d /tmp/skein-startup.XXXXXX)

cleanup() {
  pkill -f "$work/" 2>/dev/null || true
  sleep 0.5
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && cp -r "$work" /tmp/startup-kept; rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$a"
ip netns add "$b"
ip link add u0 netns "$a" type veth peer name u0 netns "$b"
ip -n "$a" addr add 198.18.0.1/24 dev u0
ip -n "$b" addr add 198.18.0.2/24 dev u0
for n in "$a" "$b"; do ip -n "$n" link set u0 up; ip -n "$n" link set lo up; done

"$skein" ca init --name start --out "$work" >/dev/null
"$skein" sign --ca "$work" --name seed --address 100.64.0.1/16 --out "$work" >/dev/null
"$skein" sign --ca "$work" --name node --address 100.64.0.2/16 --out "$work" >/dev/null
config() { # name seeds
  printf 'name: %s\ninterface: skein0\nlisten-port: 51820\ngossip-port: 7946\nseeds: %s\npki: {ca: ca.crt, cert: %s.crt, key: %s.key}\ncontrol-socket: %s/%s.sock\n' \
    "$1" "$2" "$1" "$1" "$work" "$1" > "$work/$1.yaml"
}
config seed "[]"
config node "[198.18.0.1:51820]"
ip netns exec "$a" "$skein" up --config "$work/seed.yaml" > "$work/seed.log" 2>&1 &
for _ in $(seq 100); do grep -q 'up:' "$work/seed.log" 2>/dev/null && break; sleep 0.1; done

now() { date +%s.%N; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ups=()
peers=()
settled=()
for rep in $(seq "$reps"); do
  start=$(now)
  # The class lists come from the first repetition (a node that joins and passes traffic; peers answered), run
  # without the archive: a linked archive loads every class it holds at start, so a list taken with it would
  # name them all, needed or not.
  up_opts=""; cli_opts=""
  if [ -n "${CLASSLISTS:-}" ] && [ "$rep" = 1 ]; then
    up_opts="-Xshare:off -XX:DumpLoadedClassList=$CLASSLISTS/up.classlist"
    cli_opts="-Xshare:off -XX:DumpLoadedClassList=$CLASSLISTS/cli.classlist"
  fi
  ip netns exec "$b" env SKEIN_JAVA_OPTS="$up_opts" "$skein" up --config "$work/node.yaml" > "$work/node-$rep.log" 2>&1 &
  pid=$!
  first=""
  for _ in $(seq 1500); do # 30 s at most
    if ip netns exec "$b" ping -c 1 -W 0.02 100.64.0.1 >/dev/null 2>&1; then first=$(now); break; fi
    sleep 0.02
  done
  [ -n "$first" ] || { echo "rep $rep: no reply within 30 s" >&2; tail -20 "$work/node-$rep.log" >&2; exit 1; }
  up=$(awk "BEGIN {print $first - $start}")
  s=$(now)
  ip netns exec "$b" env SKEIN_JAVA_OPTS="$cli_opts" "$skein" peers --socket "$work/node.sock" > /dev/null
  p=$(awk "BEGIN {print $(now) - $s}")
  # Again once the node has settled (its JIT and cipher timing no longer share the cores with the query).
  sleep 3
  s=$(now)
  ip netns exec "$b" "$skein" peers --socket "$work/node.sock" > /dev/null
  q=$(awk "BEGIN {print $(now) - $s}")
  printf 'rep %d: skein up to first reply %.2f s; skein peers %.3f s, 3 s later %.3f s\n' "$rep" "$up" "$p" "$q"
  ups+=("$up")
  peers+=("$p")
  settled+=("$q")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  sleep 1
done
printf 'median of %d: skein up to first packet through %.2f s, skein peers %.3f s, 3 s later %.3f s\n' "$reps" \
  "$(printf '%s\n' "${ups[@]}" | median)" "$(printf '%s\n' "${peers[@]}" | median)" \
  "$(printf '%s\n' "${settled[@]}" | median)"
