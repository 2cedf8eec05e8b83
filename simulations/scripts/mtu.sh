#!/usr/bin/env bash
# TCP through a Skein pair over underlay paths of different MTUs: a router between the two nodes whose link to b
# has the MTU under test. Reports Gbit/s each way per MTU and the IP fragments made on the way (none expected:
# the tunnel fits its packets to the path). Needs root; everything is removed on exit.
#
#   [a] 198.18.0.1 -- 198.18.0.254 [router] 198.18.1.254 ==MTU== 198.18.1.2 [b]      overlay 100.64.0.1, .2
#
#   sudo simulations/scripts/mtu.sh                     MTUS="1500 1400 1280", DUR=5 s per direction, REPS=2
#   MTUS="1500 1492" DUR=10 sudo simulations/scripts/mtu.sh
#   SKEIN="java -cp ... dev.skein.tools.Skein"          run a given build instead of ./skein
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
skein=${SKEIN:-$root/skein}
MTUS=${MTUS:-1500 1400 1280}
DUR=${DUR:-5}
REPS=${REPS:-2}
P=${NS_PREFIX:-skein-mtu-}
[ "$(id -u)" = 0 ] || { echo "mtu.sh: needs root (network namespaces)" >&2; exit 1; }
work=$(mktemp -d)
names="a r b"
. "$(dirname "$0")/lib/nodes.sh"   # stop_nodes, remove_namespaces, cleanup
trap cleanup EXIT INT TERM
"$skein" ca init --name mtu --out "$work" >/dev/null
i=0
for n in a b; do
  i=$((i + 1))
  "$skein" sign --ca "$work" --name $n --address 100.64.0.$i/16 --out "$work" >/dev/null
  seeds="[198.18.0.1:51820]"; [ $n = a ] && seeds="[]"
  cat > "$work/$n.yaml" <<Y
name: $n
interface: skein0
listen-port: 51820
gossip-port: 7946
seeds: $seeds
pki: {ca: ca.crt, cert: $n.crt, key: $n.key}
control-socket: $work/$n.sock
dns: false
Y
done
frags() { ip netns exec $P$1 awk '/^Ip:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["FragCreates"] }' /proc/net/snmp; }
# One iperf3 run from a (its arguments after -c), as Gbit/s received; what went wrong on stderr.
tcp() {
  ip netns exec ${P}a timeout $((DUR + 30)) iperf3 -c 100.64.0.2 "$@" -J > "$work/run.json" || true
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d: print(d["error"], file=sys.stderr); print("-")
else: print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))' "$work/run.json"
}
printf '| underlay path MTU | tunnel MTU | TCP a to b, Gbit/s | TCP b to a, Gbit/s | IP fragments made |\n|---|---|---|---|---|\n'
for mtu in $MTUS; do
  for n in $names; do ip netns del $P$n 2>/dev/null || true; ip netns add $P$n; ip -n $P$n link set lo up; done
  ip link add u0 netns ${P}a type veth peer name r0 netns ${P}r
  ip link add r1 netns ${P}r type veth peer name u0 netns ${P}b
  ip -n ${P}a addr add 198.18.0.1/24 dev u0; ip -n ${P}a link set u0 up
  ip -n ${P}r addr add 198.18.0.254/24 dev r0; ip -n ${P}r link set r0 up
  ip -n ${P}r addr add 198.18.1.254/24 dev r1; ip -n ${P}r link set r1 mtu "$mtu" up
  ip -n ${P}b addr add 198.18.1.2/24 dev u0; ip -n ${P}b link set u0 mtu "$mtu" up
  ip netns exec ${P}r sysctl -qw net.ipv4.ip_forward=1
  ip -n ${P}a route add 198.18.1.0/24 via 198.18.0.254
  ip -n ${P}b route add 198.18.0.0/24 via 198.18.1.254
  for n in a b; do
    ip netns exec $P$n $skein up --config "$work/$n.yaml" 2>"$work/$n.log" & echo $! >> "$work/pids"
  done
  for t in $(seq 300); do grep -q 'session with a' "$work/b.log" && break; sleep 0.1; done
  ip netns exec ${P}a ping -c 3 -i 0.3 -W 2 100.64.0.2 >/dev/null
  ip netns exec ${P}b iperf3 -s -D -B 100.64.0.2 >/dev/null; sleep 0.5
  ip netns exec ${P}a timeout 60 iperf3 -c 100.64.0.2 -n 20M >/dev/null   # warm-up: the path's MTU is learned
  sleep 3
  before=$(( $(frags a) + $(frags r) + $(frags b) ))
  ab=""; ba=""
  for rep in $(seq "$REPS"); do
    ab="$ab $(tcp -t "$DUR")"
    ba="$ba $(tcp -t "$DUR" -R)"
  done
  after=$(( $(frags a) + $(frags r) + $(frags b) ))
  tunnel=$(sed -n 's/.*overlay packets up to \([0-9]*\) bytes.*/\1/p' "$work/a.log" | tail -1)
  printf '| %s | %s | %s | %s | %s |\n' "$mtu" "${tunnel:-1420}" "${ab# }" "${ba# }" "$((after - before))"
  stop_nodes
  remove_namespaces
done
