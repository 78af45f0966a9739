#!/usr/bin/env bash
# bench/reload.sh — failed requests during SIGHUP reloads under load
# (SPEC §12: bar 0). Two wrk clients, one keep-alive and one opening a new
# connection per request, run for DURATION against haappliance while it is
# reloaded RELOADS times with a configuration whose routing changes; every
# non-2xx answer and socket error counts as failed. Loopback only; bounded.
#
#   BIN=bin/haappliance DURATION=10 RELOADS=4 ./bench/reload.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/haappliance}
DURATION=${DURATION:-10}
RELOADS=${RELOADS:-4}
[ -x "$BIN" ] || { echo "reload: $BIN missing (make build)"; exit 1; }
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "reload: wrk and nginx needed (make deps)"; exit 1; }
ulimit -n 20000 2>/dev/null || true

NAME=reload
. "$(dirname "$0")/lib.sh"

BACKEND=$(port); OURS=$(port)
start_nginx $BACKEND 4096

conf() { # conf VERSION: routing of /v/ changes with each version
cat > "$work/haappliance.toml" <<OURS
[global]
maxconn = 4000
control_socket = "$work/admin.sock"
[sysctl]
apply = false
[defaults]
mode = "http"
option = ["http-keep-alive"]
timeout = { connect = "5s", client = "30s", server = "30s" }
[frontend.fe]
bind = ["127.0.0.1:$OURS"]
acl = ["is_v path_beg /v/"]
use_backend = ["v$1 if is_v"]
default_backend = "be"
[backend.be]
server = [ { name = "s1", address = "127.0.0.1:$BACKEND" } ]
[backend.v$1]
server = [ { name = "s1", address = "127.0.0.1:$BACKEND" } ]
OURS
}
conf 0
"$BIN" run -c "$work/haappliance.toml" --no-sysctl 2>"$work/ours.log" &
ours=$!
pids+=($ours)
wait_port $BACKEND; wait_port $OURS

wrk -t1 -c25 -d"${DURATION}s" "http://127.0.0.1:$OURS/" > "$work/ka.txt" 2>&1 &
w1=$!
wrk -t1 -c25 -d"${DURATION}s" -H "Connection: close" "http://127.0.0.1:$OURS/" > "$work/close.txt" 2>&1 &
w2=$!
gap=$(awk -v d="$DURATION" -v n="$RELOADS" 'BEGIN {printf "%.2f", d/(n+1)}')
for v in $(seq 1 "$RELOADS"); do
  sleep "$gap"
  conf "$v"
  kill -HUP "$ours"
done
wait $w1 $w2
done_reloads=$(grep -c "configuration reloaded" "$work/ours.log" || true)

count() { # requests failed
  awk '/requests in/ {r=$1} /Non-2xx/ {n=$NF} /Socket errors/ {gsub(",","",$0); for (i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) e+=$i} END {printf "%d %d\n", r, n+e}' "$1"
}
read -r ka_req ka_fail < <(count "$work/ka.txt")
read -r cl_req cl_fail < <(count "$work/close.txt")
echo "# SIGHUP reload under load: $done_reloads of $RELOADS reloads in ${DURATION}s, wrk -c25 keep-alive + -c25 new connection per request"
printf "%-22s %10s %8s\n" client requests failed
printf "%-22s %10s %8s\n" keep-alive "$ka_req" "$ka_fail"
printf "%-22s %10s %8s\n" new-connection "$cl_req" "$cl_fail"
total=$((ka_fail + cl_fail))
echo "failed requests during reloads: $total (bar: 0)"
[ "$done_reloads" = "$RELOADS" ] || { echo "reload: only $done_reloads reloads logged"; exit 1; }
