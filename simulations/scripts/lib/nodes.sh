# Sourced by the namespace scripts (nat.sh, mtu.sh): stopping what they started and removing their namespaces.
# Expects: $work (a temporary directory; $work/pids lists the node processes), $names (the namespaces, without
# their prefix) and $P (the prefix).

# Stops the nodes in $work/pids (SIGTERM: each removes its TUN device and leaves the mesh) and waits up to 6 s.
stop_nodes() {
  for p in $(cat "$work"/pids 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 60); do
    alive=0; for p in $(cat "$work"/pids 2>/dev/null); do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  : > "$work/pids"
}

# Whatever still runs in the namespaces, then the namespaces (those already gone are skipped: under
# set -e and pipefail a failed 'ip netns pids' would end the script, or its EXIT trap, with status 1).
remove_namespaces() {
  for n in $names; do
    { ip netns pids "$P$n" 2>/dev/null || true; } | xargs -r kill -9
    ip netns del "$P$n" 2>/dev/null || true
  done
}

# Everything the script made: nodes, whatever else still runs in the namespaces, the namespaces, $work.
cleanup() {
  stop_nodes
  remove_namespaces
  rm -rf "$work"
}
