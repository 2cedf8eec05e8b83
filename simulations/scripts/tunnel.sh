#!/usr/bin/env bash
# Two Skein nodes on this machine, each in its own network namespace, joined by a veth "underlay":
#
#   [skein-home] vh 198.18.0.1/24 ----- 198.18.0.2/24 vo [skein-office]
#      skein0 100.64.0.1                          skein0 100.64.0.2  (+ 100.96.1.0/24 routed to office)
#
# Issues a CA and two identities, starts `skein up` in each namespace, pings across the encrypted tunnel,
# optionally measures TCP throughput (IPERF=5 seconds), and removes everything on exit. Needs root.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
skein="$root/skein"
[ "$(id -u)" = 0 ] || { echo "tunnel.sh: needs root (network namespaces)" >&2; exit 1; }
work=$(mktemp -d)
H=skein-home; O=skein-office
cleanup() {
  for p in $(cat "$work"/pids 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  sleep 1
  for n in $H $O; do ip netns pids $n 2>/dev/null | xargs -r kill -9; ip netns del $n 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
for n in $H $O; do ip netns del $n 2>/dev/null || true; ip netns add $n; ip -n $n link set lo up; done
ip link add vh netns $H type veth peer name vo netns $O
ip -n $H addr add 198.18.0.1/24 dev vh; ip -n $O addr add 198.18.0.2/24 dev vo
ip -n $H link set vh up; ip -n $O link set vo up

"$skein" ca init --name demo --out "$work" >/dev/null
"$skein" sign --ca "$work" --name home --address 100.64.0.1/16 --out "$work" >/dev/null
"$skein" sign --ca "$work" --name office --address 100.64.0.2/16 --subnets 100.96.1.0/24 --out "$work" >/dev/null
key() { "$skein" cert show "$work/$1.crt" | awk '/public key/{print $3}'; }
config() { # name, peer name, peer endpoint, peer allowed ips
  cat > "$work/$1.yaml" <<Y
name: $1
interface: skein0
listen-port: 51820
pki: {ca: ca.crt, cert: $1.crt, key: $1.key}
control-socket: $work/$1.sock
wireguard-peers:
  - public-key: $(key "$2")
    endpoint: $3
    allowed-ips: [$4]
Y
}
config home office 198.18.0.2:51820 "100.64.0.2/32, 100.96.1.0/24"
config office home 198.18.0.1:51820 "100.64.0.1/32"
ip netns exec $H "$skein" up --config "$work/home.yaml" 2>"$work/home.log" & echo $! >> "$work/pids"
ip netns exec $O "$skein" up --config "$work/office.yaml" 2>"$work/office.log" & echo $! >> "$work/pids"
for i in $(seq 100); do grep -q " up: " "$work/home.log" && grep -q " up: " "$work/office.log" && break; sleep 0.2; done
grep -h " up: " "$work/home.log" "$work/office.log"
echo "--- ping home -> office over the tunnel"
ip netns exec $H ping -c 3 -i 0.3 100.64.0.2
if [ -n "${IPERF:-}" ]; then
  echo "--- iperf3 home -> office, ${IPERF} s"
  ip netns exec $O iperf3 -s -1 -D -B 100.64.0.2 >/dev/null 2>&1; sleep 0.5
  ip netns exec $H iperf3 -c 100.64.0.2 -t "$IPERF" | tail -4
fi
echo "--- node logs"
cat "$work/home.log" "$work/office.log"
