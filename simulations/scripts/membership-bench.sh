#!/usr/bin/env bash
# Membership benchmark (not a test): runs mesh.sh REPS times (default 5) with N nodes (default 5) and reports
# the median, min and max of join-to-all-routes, failure detection (kill -9) and graceful leave (SIGTERM).
#   sudo simulations/scripts/membership-bench.sh        REPS=5 N=5 by default
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPS=${REPS:-5}; N=${N:-5}
[ "$REPS" -ge 1 ] && [ "$REPS" -le 20 ] || { echo "REPS must be 1..20" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$REPS"); do
  N=$N LOGS=" " "$here/mesh.sh" 2>/dev/null | grep -E '^(join-to-all-routes|failure-detection|graceful-leave)' \
    | sed -E 's/ \(.*\)//; s/: max / /; s/ s$//' >> "$out" || true
done
echo "membership, $N nodes, $REPS runs, $(nproc) cores, $(date -u +%Y-%m-%d)"
printf "%-22s %8s %8s %8s %5s\n" figure median min max runs
for f in join-to-all-routes failure-detection graceful-leave; do
  grep "^$f " "$out" | awk '{print $2}' | sort -n | awk -v f="$f" '
    {v[NR]=$1} END {if (NR==0) {printf "%-22s %8s\n", f, "n/a"; exit}
      m = (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2
      printf "%-22s %7.2fs %7.2fs %7.2fs %5d\n", f, m, v[1], v[NR], NR}'
done
