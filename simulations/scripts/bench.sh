#!/usr/bin/env bash
# Throughput of Skein beside its peers, in one run on this machine: raw veth, wireguard-go and Nebula (from
# ../shared/bench/anchors.sh), then two Skein nodes on the same kind of veth pair (tunnel.sh). iperf3 TCP,
# one stream, DUR seconds each (default 5). Needs root and: iproute2 iperf3 wireguard-tools wireguard-go nebula.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
DUR=${DUR:-5}
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  cores: $(nproc)  java: $(ls -d /usr/lib/jvm/*/ | xargs -n1 basename | tr '\n' ' ')"
DUR=$DUR "$root/../shared/bench/anchors.sh"
echo "skein: $(IPERF=$DUR "$root/simulations/scripts/tunnel.sh" | awk '/receiver/{print $7, $8}')"
