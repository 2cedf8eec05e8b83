#!/usr/bin/env bash
# A mesh of N Skein nodes on this machine (default 5), each in its own network namespace, all on one bridge
# (the "underlay", 198.18.0.0/24). Node 1 is the seed; the others know only the seed's endpoint and find each
# other through membership. Node 2 routes the subnet 100.96.2.0/24 (the address 100.96.2.1 on its
# loopback device stands for a host on the office LAN). Shows the membership log, pings every pair over the overlay, and removes
# everything on exit. Needs root.
#
# Reports how long until every node had a route to every other, each node's join time, resident memory and CPU
# seconds once the mesh stood, the lines at WARN or above any node logged while it formed, failure detection and
# a graceful leave. Exits 1 if a pair does not ping, the mesh did not form within FORM_LIMIT seconds (default
# 120), or a node logged a warning while it formed. MeshScriptIT runs it with N=4.
#
#   sudo simulations/scripts/mesh.sh          N=5 by default (2..64)
#   N=8 KEEP=1 sudo simulations/scripts/mesh.sh  ... and wait for Enter before cleaning up
#   SAVE_LOGS=/tmp/logs sudo simulations/scripts/mesh.sh  ... and keep every node's log there
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
skein="$root/skein"
N=${N:-5}
[ "$(id -u)" = 0 ] || { echo "mesh.sh: needs root (network namespaces)" >&2; exit 1; }
[ "$N" -ge 2 ] && [ "$N" -le 64 ] || { echo "mesh.sh: N must be 2..64" >&2; exit 1; }
FORM_LIMIT=${FORM_LIMIT:-120}
work=$(mktemp -d)
BR=skein-mesh-br
cleanup() {
  # A second Ctrl-C (or a timeout's signal after ours) must not cut the cleanup short: 64 namespaces were left.
  trap '' INT TERM
  # SAVE_LOGS=DIR keeps the nodes' logs (DIR is created).
  [ -n "${SAVE_LOGS:-}" ] && mkdir -p "$SAVE_LOGS" && cp "$work"/n*.log "$SAVE_LOGS"/ 2>/dev/null
  for p in $(cat "$work"/pids 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  for t in $(seq 60); do  # a node says goodbye and stops its gossip layer: up to ~5 s
    alive=0; for p in $(cat "$work"/pids 2>/dev/null); do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for i in $(seq "$N"); do
    ip netns pids skein-n$i 2>/dev/null | xargs -r kill -9; ip netns del skein-n$i 2>/dev/null || true
  done
  ip netns del $BR 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM  # cleanup runs on the way out (EXIT); without the exit the script would go on
ip netns del $BR 2>/dev/null || true
ip netns add $BR; ip -n $BR link add br0 type bridge; ip -n $BR link set br0 up
"$skein" ca init --name mesh --out "$work" >/dev/null
for i in $(seq "$N"); do
  ns=skein-n$i
  ip netns del $ns 2>/dev/null || true
  ip netns add $ns; ip -n $ns link set lo up
  ip link add u0 netns $ns type veth peer name p$i netns $BR
  ip -n $BR link set p$i master br0; ip -n $BR link set p$i up
  ip -n $ns addr add 198.18.0.$i/24 dev u0; ip -n $ns link set u0 up
  subnets=""
  if [ "$i" = 2 ]; then
    subnets="--subnets 100.96.2.0/24"
    ip -n $ns addr add 100.96.2.1/32 dev lo   # the host behind n2
  fi
  "$skein" sign --ca "$work" --name n$i --address 100.64.0.$i/16 $subnets --out "$work" >/dev/null
  seeds="[198.18.0.1:51820]"; [ "$i" = 1 ] && seeds="[]"
  cat > "$work/n$i.yaml" <<Y
name: n$i
interface: skein0
listen-port: 51820
gossip-port: 7946
seeds: $seeds
pki: {ca: ca.crt, cert: n$i.crt, key: n$i.key}
control-socket: $work/n$i.sock
Y
done
start=$(date +%s.%N)
for i in $(seq "$N"); do
  ip netns exec skein-n$i "$skein" up --config "$work/n$i.yaml" 2>"$work/n$i.log" & echo $! >> "$work/pids"
done
# Joined: every node holds every other node as a peer now (its log's last word on each is "nJ added", not
# "removed": a member removed on a false suspicion and added again counts once, and only while it is in).
peers_now() { # prints how many members node $1's log holds as added and not removed since
  awk '$5 == "added:" { in_mesh[$4] = 1 } $5 == "removed:" { in_mesh[$4] = 0 }
       END { n = 0; for (m in in_mesh) n += in_mesh[m]; print n }' "$work/n$1.log"
}
deadline=$(( $(date +%s) + FORM_LIMIT ))
fail=0
while :; do
  ok=1
  for i in $(seq "$N"); do
    [ "$(peers_now "$i")" -ge $((N - 1)) ] || { ok=0; break; }
  done
  [ $ok = 1 ] && break
  if [ "$(date +%s)" -ge "$deadline" ]; then fail=1; break; fi
  sleep 0.1
done
if [ $ok = 1 ]; then
  echo "--- all $N nodes have routes to each other after $(echo "$(date +%s.%N) - $start" | bc) s (includes JVM start)"
else
  echo "--- FAIL: the mesh did not form within $FORM_LIMIT s"
  # Who lacked whom, and how often each had dropped a member it held (false suspicions), to say why.
  for i in $(seq "$N"); do
    held=$(peers_now "$i")
    [ "$held" -ge $((N - 1)) ] || printf 'n%d holds %d of %d, dropped %d times  ' "$i" "$held" $((N - 1)) \
      "$(grep -c ' removed: ' "$work/n$i.log" || true)"
  done
  echo
fi
# What each node holds and has spent once the mesh stands (the launcher execs java: the pid is the JVM's).
# Every node is read in one pass of shell builtins, no process started per node: on a machine that 32 JVMs keep
# busy, a reading that forks per node took tens of seconds, and the late nodes' figures took in that time too.
tick=$(getconf CLK_TCK)
stat_ticks() { # sets ticks (user + system) and comm from the stat file $1 (a process's or a thread's), no fork
  local line rest f
  read -r line < "$1" 2>/dev/null || return 1
  comm=${line#*(}; comm=${comm%%) *}
  rest=${line##*) }; read -r -a f <<< "$rest"; ticks=$(( f[11] + f[12] ))
}
snapshot() { # prints "pid utime+stime-ticks rss-kib" per node, then the time of the reading
  local p stat rss
  while read -r p; do
    stat=0; rss=0
    if stat_ticks "/proc/$p/stat"; then
      stat=$ticks
      while read -r k v _; do [ "$k" = VmRSS: ] && { rss=$v; break; }; done < "/proc/$p/status"
    fi
    echo "$p $stat $rss"
  done < "$work/pids"
  echo "at $EPOCHREALTIME"
}
snapshot > "$work/formed"
echo "--- per node once formed: resident memory (MiB), CPU seconds (user+system) since launch"
awk -v t="$tick" -v n="$N" '
  $1 == "at" { next }
  { i++; rss = $3 / 1024; cpu = $2 / t; printf "n%d %.1f MiB %.2f s  ", i, rss, cpu; R += rss; C += cpu }
  END { printf "\nmemory: mean %.1f MiB per node; cpu: mean %.2f s per node, %.2f s in all\n", R / n, C / n, C }
' "$work/formed"
# Where that CPU went, by thread kind summed over the nodes (the JVM's and Atomix's threads, and ours): the
# thread's name without its trailing number, as the kernel keeps it (15 characters).
threads_by_kind() {
  local p t name
  declare -A spent=()
  while read -r p; do
    for t in /proc/$p/task/*; do
      stat_ticks "$t/stat" || continue
      name=${comm%%[0-9]*}; name=${name// /_}
      spent[$name]=$(( ${spent[$name]:-0} + ticks ))
    done
  done < "$work/pids"
  for name in "${!spent[@]}"; do echo "${spent[$name]} $name"; done
}
threads_by_kind | sort -rn | awk -v t="$tick" 'NR <= 12 { printf "%s %.1f s  ", $2, $1 / t } END { print "" }' \
  | sed 's/^/cpu by thread kind (all nodes): /'
# What a formed mesh costs each node while nothing happens but membership (IDLE seconds, default 5).
IDLE=${IDLE:-5}
sleep "$IDLE"
snapshot > "$work/idle"
awk -v t="$tick" -v n="$N" '
  FNR == 1 { file++ }
  $1 == "at" { at[file] = $2; next }
  file == 1 { before[FNR] = $2; next }
  { spent += ($2 - before[FNR]) / t }
  END { printf "idle: %.3f CPU s per second per node over the next %.1f s\n", spent / n / (at[2] - at[1]), at[2] - at[1] }
' "$work/formed" "$work/idle"
# Lines at WARN or above while the mesh formed (logback's level column, or the JVM's own warnings): none is
# expected.
level='^([0-9:.]+ (WARN|ERROR) |WARNING: )'
warnings=$(cat "$work"/n*.log | grep -cE "$level" || true)
echo "warnings-during-formation: $warnings"
if [ "$warnings" != 0 ]; then
  fail=1
  # Each with the exception under it, if any (its first lines, not the stack).
  for i in $(seq "$N"); do
    # awk, not head: head's early exit would end this script (pipefail, set -e)
    (grep -E -A3 "$level" "$work/n$i.log" | grep -v '^\s*at ' | sed "s/^/n$i: /" | awk 'NR <= 8') || true
  done
fi
echo "--- ping every pair over the overlay"
for i in $(seq "$N"); do
  for j in $(seq "$N"); do
    [ "$i" = "$j" ] && continue
    if ip netns exec skein-n$i ping -c 1 -W 2 100.64.0.$j >/dev/null; then printf "n%s->n%s ok  " $i $j; else printf "n%s->n%s FAIL  " $i $j; fail=1; fi
  done
  echo
done
echo "--- ping the host behind n2's subnet from n$N"
ip netns exec skein-n$N ping -c 2 -i 0.3 100.96.2.1 | tail -2 || fail=1
# Seconds since midnight of a log line's HH:MM:SS.mmm (the nodes log in this machine's local time).
secs() { awk -F'[:. ]' '{print $1*3600 + $2*60 + $3 + $4/1000; exit}'; }
echo "--- join: from 'up' to the last peer added, per node"
worst=0
for i in $(seq "$N"); do
  up=$(grep ' up: ' "$work/n$i.log" | secs); last=$(grep ' added: ' "$work/n$i.log" | tail -1 | secs)
  t=$(echo "$last - $up" | bc); [ "$(echo "$t < 0" | bc)" = 1 ] && t=$(echo "$t + 86400" | bc) # past midnight
  printf "n%s %.2f s  " $i "$t"; worst=$(echo "if ($t > $worst) $t else $worst" | bc)
done
echo; echo "join-to-all-routes: max $(printf %.2f "$worst") s"
# Sets worst to the longest time, over nodes 1..$3, from $2 (seconds of the day) to their log's first "n$1 removed"
# after it: one from before it was a false removal during formation; a clock past midnight starts again at 0.
slowest_removal() {
  worst=0
  for i in $(seq "$3"); do
    t=$(grep "n$1 removed" "$work/n$i.log" | awk -F'[:. ]' -v from="$2" '
      { t = $1 * 3600 + $2 * 60 + $3 + $4 / 1000 - from; if (t < -43200) t += 86400; if (t > 43200) t -= 86400
        if (t >= 0) { print t; exit } }')
    [ -z "$t" ] && { fail=1; continue; }
    worst=$(echo "if ($t > $worst) $t else $worst" | bc)
  done
}
# Failure detection: kill -9 the last node; every other node must remove it.
victim=$N
killed=$(date +%T.%3N | secs)
kill -9 "$(sed -n "${victim}p" "$work/pids")"
for t in $(seq 300); do
  ok=1; for i in $(seq $((N - 1))); do grep -q "n$victim removed" "$work/n$i.log" || ok=0; done
  [ $ok = 1 ] && break; sleep 0.1
done
slowest_removal "$victim" "$killed" $((N - 1))
echo "failure-detection (kill -9 n$victim): max $(printf %.2f "$worst") s"
# Graceful leave: SIGTERM another node; its goodbye removes it at once.
leaver=$((N - 1))
if [ "$leaver" -ge 2 ]; then
  left=$(date +%T.%3N | secs)
  kill "$(sed -n "${leaver}p" "$work/pids")"
  sleep 2
  slowest_removal "$leaver" "$left" $((N - 2))
  echo "graceful-leave (SIGTERM n$leaver): max $(printf %.2f "$worst") s"
fi
echo "--- logs"
for i in ${LOGS:-$N}; do echo "[n$i]"; cat "$work/n$i.log"; done
if [ -n "${KEEP:-}" ]; then echo "namespaces skein-n1..skein-n$N are up; configs in $work. Enter to clean up."; read -r _; fi
exit $fail
