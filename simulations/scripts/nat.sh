#!/usr/bin/env bash
# Home and office behind NAT routers, a seed with a public address that is also a relay. Builds the topology
# in network namespaces, starts the three nodes, shows how home reaches office, and removes everything on exit.
# Needs root.
#
#   [seed 198.18.0.1, relay: true]
#            |
#   ===== "internet" bridge 198.18.0.0/24 =====
#            |                         |
#   [home-gw 198.18.0.2]       [office-gw 198.18.0.3]     masquerade NAT; unsolicited packets from the
#      198.19.1.1                 198.19.2.1              internet are dropped, as home routers do
#            |                         |
#   [home 198.19.1.2]          [office 198.19.2.2]
#
#   sudo simulations/scripts/nat.sh                  port-preserving NAT on both sides: a direct path
#   NAT=random sudo simulations/scripts/nat.sh       masquerade random (a new port per destination): relay
#   ROAM=1 sudo simulations/scripts/nat.sh           mid-ping, home's router gets a new public address
#   KEEP=1 ...                                       wait for Enter before cleaning up (watch `skein peers`)
#   SKEIN="java -cp ... dev.skein.tools.Skein"       run a given build instead of ./skein
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
skein=${SKEIN:-$root/skein}
NAT=${NAT:-preserve}
P=${NS_PREFIX:-skein-nat-}
[ "$(id -u)" = 0 ] || { echo "nat.sh: needs root (network namespaces)" >&2; exit 1; }
case "$NAT" in preserve) random="";; random) random=" random";; *) echo "nat.sh: NAT must be preserve or random" >&2; exit 1;; esac
work=$(mktemp -d)
names="inet seed home-gw office-gw home office"
. "$(dirname "$0")/lib/nodes.sh"   # stop_nodes, remove_namespaces, cleanup
trap cleanup EXIT INT TERM
for n in $names; do ip netns del $P$n 2>/dev/null || true; ip netns add $P$n; ip -n $P$n link set lo up; done
ip -n ${P}inet link add br0 type bridge; ip -n ${P}inet link set br0 up
plug() { # plug NS into the internet bridge as DEV with ADDRESS
  ip link add "$2" netns "$P$1" type veth peer name "i-$1" netns ${P}inet
  ip -n ${P}inet link set "i-$1" master br0; ip -n ${P}inet link set "i-$1" up
  ip -n "$P$1" addr add "$3" dev "$2"; ip -n "$P$1" link set "$2" up
}
plug seed u0 198.18.0.1/24
# router SITE NUMBER PUBLIC: a NAT router for the LAN 198.19.NUMBER.0/24 with one node at .2
router() {
  local gw=$P$1-gw site=$P$1
  plug "$1-gw" wan0 "$3/24"
  ip link add lan0 netns "$gw" type veth peer name u0 netns "$site"
  ip -n "$gw" addr add 198.19.$2.1/24 dev lan0; ip -n "$gw" link set lan0 up
  ip -n "$site" addr add 198.19.$2.2/24 dev u0; ip -n "$site" link set u0 up
  ip -n "$site" route add 198.18.0.0/24 via 198.19.$2.1
  ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.promote_secondaries=1 \
    net.ipv4.conf.wan0.promote_secondaries=1
  ip netns exec "$gw" nft -f - <<N
table ip nat {
  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan0" masquerade$random; }
}
table ip firewall {
  chain input { type filter hook input priority filter; iifname "wan0" ct state new drop; }
  chain forward { type filter hook forward priority filter; iifname "wan0" ct state new drop; }
}
N
}
router home 1 198.18.0.2
router office 2 198.18.0.3
"$skein" ca init --name nat --out "$work" >/dev/null
i=0
for n in seed home office; do
  i=$((i + 1))
  "$skein" sign --ca "$work" --name $n --address 100.64.0.$i/16 --out "$work" >/dev/null
  seeds="[198.18.0.1:51820]"; relay=false; [ $n = seed ] && { seeds="[]"; relay=true; }
  cat > "$work/$n.yaml" <<Y
name: $n
interface: skein0
listen-port: 51820
gossip-port: 7946
seeds: $seeds
relay: $relay
pki: {ca: ca.crt, cert: $n.crt, key: $n.key}
control-socket: $work/$n.sock
Y
  ip netns exec $P$n $skein up --config "$work/$n.yaml" 2>"$work/$n.log" & echo $! >> "$work/pids"
done
ask() { ip netns exec $P$1 $skein "${@:2}" --socket "$work/$1.sock"; }
echo "--- waiting for home and office to know each other"
for t in $(seq 300); do
  grep -q 'office added' "$work/home.log" && grep -q 'home added' "$work/office.log" && break; sleep 0.1
done
fail=0
ip netns exec ${P}home ping -c 3 -i 0.5 -W 2 100.64.0.3 | tail -2 || fail=1
sleep 3   # let hole punching settle
echo "--- skein peers on home"; ask home peers || fail=1
echo "--- skein ping office from home"; ask home ping office -c 3 -i 0.2 || fail=1
before=$(ask seed status --json | sed -n 's/.*"relayedPackets": "\{0,1\}\([0-9]*\).*/\1/p'); before=${before:-0}
echo "--- TCP: 20 MB from home to office"
ip netns exec ${P}office iperf3 -s -1 -D -B 100.64.0.3 >/dev/null; sleep 0.5
ip netns exec ${P}home timeout 60 iperf3 -c 100.64.0.3 -n 20M | tail -3 || fail=1
after=$(ask seed status --json | sed -n 's/.*"relayedPackets": "\{0,1\}\([0-9]*\).*/\1/p'); after=${after:-0}
echo "relay (seed) forwarded $((after - before)) packets during the transfer"
if [ -n "${ROAM:-}" ]; then
  echo "--- roaming: home's router moves from 198.18.0.2 to 198.18.0.12 during a ping"
  ip netns exec ${P}home ping -D -i 0.1 -c 200 -W 1 100.64.0.3 > "$work/roam.txt" &
  pinger=$!
  sleep 4
  moved=$(date +%s.%N)
  ip -n ${P}home-gw addr add 198.18.0.12/24 dev wan0
  ip -n ${P}home-gw addr del 198.18.0.2/24 dev wan0
  wait $pinger || true
  # the longest gap between two replies, and the first reply after the move
  awk -v moved="$moved" '/bytes from/ { t = substr($1, 2, length($1) - 2); if (last && t - last > gap) gap = t - last;
       if (!after && t > moved) after = t - moved; last = t }
       END { printf "longest gap between replies: %.2f s; first reply %.2f s after the move\n", gap, after }' "$work/roam.txt"
  sleep 3
  echo "--- skein peers on home after the move"; ask home peers || fail=1
fi
echo "--- skein status on the seed"; ask seed status || fail=1
if [ -n "${LOGS:-}" ]; then for n in seed home office; do echo "[$n]"; cat "$work/$n.log"; done; fi
if [ -n "${KEEP:-}" ]; then echo "namespaces ${P}*: up; configs in $work. Enter to clean up."; read -r _; fi
exit $fail
