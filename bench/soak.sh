#!/bin/bash
# soak.sh — `make soak` (issue 11; not in CI): mixed load on loopback for
# DURATION with a SIGHUP reload every RELOAD_EVERY and a server health flap
# every FLAP_EVERY, sampling the daemon's RSS, threads, open files and (when
# `show info` reports them) goroutines every SAMPLE_EVERY. Fails when, after
# the warm-up, RSS or goroutines grow beyond a bound, when open files do not
# return to their idle level once the load stops, when a reload is refused,
# or when the daemon dies.
#
#   DURATION=600 SAMPLE_EVERY=10 RELOAD_EVERY=30 FLAP_EVERY=15 bench/soak.sh
#   BIN=bin/haappliance (built into a temp folder when unset)
#   RSS_GROWTH_PCT=50 RSS_SLACK_KB=20480 GOROUTINE_GROWTH_PCT=50
#
# Needs wrk and curl. Binds only 127.0.0.1, on ports free at start.
set -u
DURATION=${DURATION:-600}
SAMPLE_EVERY=${SAMPLE_EVERY:-10}
RELOAD_EVERY=${RELOAD_EVERY:-30}
FLAP_EVERY=${FLAP_EVERY:-15}
RSS_GROWTH_PCT=${RSS_GROWTH_PCT:-50}
RSS_SLACK_KB=${RSS_SLACK_KB:-20480}
GOROUTINE_GROWTH_PCT=${GOROUTINE_GROWTH_PCT:-50}
WARMUP=${WARMUP:-$((DURATION / 5))}

cd "$(dirname "$0")/.." || exit 2
for tool in wrk curl; do
	command -v $tool >/dev/null || { echo "soak: $tool is needed (make deps)"; exit 2; }
done
work=$(mktemp -d /tmp/haappliance-soak.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${BIN:-}" ]; then
	BIN=$work/haappliance
	CGO_ENABLED=0 go build -o "$BIN" ./cmd/haappliance || exit 2
fi

# free_port prints a loopback TCP port nobody listens on.
free_port() {
	while :; do
		p=$((20000 + RANDOM % 30000))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo $p; return; }
	done
}
W=(); for i in 0 1 2 3; do W+=("$(free_port)"); done
L7=$(free_port); L4=$(free_port); ST=$(free_port)

"$BIN" demo --web "127.0.0.1:${W[0]},127.0.0.1:${W[1]},127.0.0.1:${W[2]},127.0.0.1:${W[3]}" >"$work/web.log" 2>&1 &
pids+=($!)

write_config() { # $1: weight of web3 (changed by every reload, so reloads do something)
	cat >"$work/haappliance.toml" <<EOF
[global]
maxconn = 4000
control_socket = "$work/admin.sock"

[[global.log]]
address = "stderr"
facility = "local0"
level = "notice"

[defaults]
mode = "http"
option = ["http-keep-alive", "forwardfor", "redispatch"]
retries = 3
timeout = { connect = "1s", client = "10s", server = "10s", http_request = "5s", check = "500ms" }
httpchk = { method = "GET", uri = "/healthCheck.html" }

[frontend.http-in]
bind = ["127.0.0.1:$L7"]
acl = ["is_a path_beg /a/"]
use_backend = ["a if is_a"]
default_backend = "b"

[backend.a]
cookie = { name = "SOAK", mode = "insert", indirect = true, nocache = true }
server = [
  { name = "web0", address = "127.0.0.1:${W[0]}", cookie = "w0", check = true, inter = "500ms", rise = 2, fall = 2 },
  { name = "web1", address = "127.0.0.1:${W[1]}", cookie = "w1", check = true, inter = "500ms", rise = 2, fall = 2 },
]

[backend.b]
balance = "leastconn"
server = [
  { name = "web2", address = "127.0.0.1:${W[2]}", check = true, inter = "500ms", rise = 2, fall = 2 },
  { name = "web3", address = "127.0.0.1:${W[3]}", weight = $1, check = true, inter = "500ms", rise = 2, fall = 2 },
]

[listen.tcp-in]
bind = ["127.0.0.1:$L4"]
mode = "tcp"
balance = "roundrobin"
server = [
  { name = "web2", address = "127.0.0.1:${W[2]}", check = true, inter = "500ms" },
  { name = "web3", address = "127.0.0.1:${W[3]}", check = true, inter = "500ms" },
]

[listen.stats]
bind = ["127.0.0.1:$ST"]
stats = { uri = "/stats", auth = ["admin:admin"] }
EOF
}
write_config 1
"$BIN" run --no-sysctl -c "$work/haappliance.toml" >"$work/daemon.log" 2>&1 &
D=$!
pids+=($D)
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$L7/" && break; sleep 0.1; done
curl -fs -o /dev/null "http://127.0.0.1:$L7/" || { echo "soak: daemon does not serve"; cat "$work/daemon.log"; exit 1; }

# sample prints: seconds rss_kB threads fds goroutines(- when unknown)
sample() {
	local rss thr fds gr
	rss=$(awk '/^VmRSS:/{print $2}' /proc/$D/status 2>/dev/null)
	thr=$(awk '/^Threads:/{print $2}' /proc/$D/status 2>/dev/null)
	fds=$(ls /proc/$D/fd 2>/dev/null | wc -l)
	gr=$("$BIN" admin -S "$work/admin.sock" show info 2>/dev/null | awk -F': ' 'tolower($1) ~ /goroutines/ {print $2; exit}')
	echo "$1 ${rss:-0} ${thr:-0} $fds ${gr:--}"
}
idle_fds=$(ls /proc/$D/fd | wc -l)

# Mixed load, bounded by -d: keep-alive L7, a new connection per request
# on L7, and HTTP through the L4 frontend.
wrk -t1 -c50 -d"${DURATION}s" --latency "http://127.0.0.1:$L7/a/x" >"$work/wrk-ka.txt" 2>&1 &
pids+=($!); K1=$!
wrk -t1 -c10 -d"${DURATION}s" -H "Connection: close" "http://127.0.0.1:$L7/b/y" >"$work/wrk-close.txt" 2>&1 &
pids+=($!); K2=$!
wrk -t1 -c10 -d"${DURATION}s" "http://127.0.0.1:$L4/tcp" >"$work/wrk-l4.txt" 2>&1 &
pids+=($!); K3=$!

echo "soak: ${DURATION}s, reload every ${RELOAD_EVERY}s, flap every ${FLAP_EVERY}s; samples: t rss_kB threads fds goroutines"
: >"$work/samples"
t=0; reloads=0; flaps=0; weight=1; sick=""
while [ $t -lt "$DURATION" ]; do
	sleep 1; t=$((t + 1))
	kill -0 $D 2>/dev/null || { echo "soak: FAIL: the daemon died at ${t}s"; tail -50 "$work/daemon.log"; exit 1; }
	if [ $((t % RELOAD_EVERY)) -eq 0 ]; then
		weight=$((weight % 5 + 1)); write_config $weight
		kill -HUP $D; reloads=$((reloads + 1))
	fi
	if [ $((t % FLAP_EVERY)) -eq 0 ]; then
		# One server of each backend at most is sick at a time.
		if [ -n "$sick" ]; then curl -fs -o /dev/null "http://127.0.0.1:$sick/healthCheck.html?ok"; sick=""
		else sick=${W[$((flaps % 4))]}; curl -s -o /dev/null "http://127.0.0.1:$sick/healthCheck.html?fail"; fi
		flaps=$((flaps + 1))
	fi
	if [ $((t % SAMPLE_EVERY)) -eq 0 ]; then
		s=$(sample $t); echo "  $s"; echo "$s" >>"$work/samples"
	fi
done
wait $K1 $K2 $K3 2>/dev/null
[ -n "$sick" ] && curl -fs -o /dev/null "http://127.0.0.1:$sick/healthCheck.html?ok"
sleep 6 # idle keep-alive and server connections time out
settled=$(sample end)
echo "  $settled (load stopped)"

fail=0
# Baseline: the first sample after the warm-up; peak: the largest after it.
read -r base_rss base_gr <<<"$(awk -v w="$WARMUP" '$1 >= w {print $2, $5; exit}' "$work/samples")"
peak_rss=$(awk -v w="$WARMUP" '$1 >= w && $2 > m {m = $2} END {print m + 0}' "$work/samples")
bound_rss=$((base_rss + base_rss * RSS_GROWTH_PCT / 100 + RSS_SLACK_KB))
echo "soak: RSS after warm-up ${base_rss} kB, peak ${peak_rss} kB, bound ${bound_rss} kB"
[ "$peak_rss" -le "$bound_rss" ] || { echo "soak: FAIL: RSS grew beyond the bound"; fail=1; }
if [ "${base_gr:--}" != "-" ]; then
	peak_gr=$(awk -v w="$WARMUP" '$1 >= w && $5 > m {m = $5} END {print m + 0}' "$work/samples")
	bound_gr=$((base_gr + base_gr * GOROUTINE_GROWTH_PCT / 100 + 50))
	echo "soak: goroutines after warm-up ${base_gr}, peak ${peak_gr}, bound ${bound_gr}"
	[ "$peak_gr" -le "$bound_gr" ] || { echo "soak: FAIL: goroutines grew beyond the bound"; fail=1; }
else
	echo "soak: goroutines: not reported by 'show info'; open files stand in for them"
fi
end_fds=$(echo "$settled" | awk '{print $4}')
echo "soak: open files idle ${idle_fds} before the load, ${end_fds} after it"
[ "$end_fds" -le $((idle_fds + 10)) ] || { echo "soak: FAIL: open files did not return to the idle level"; fail=1; }
done_reloads=$(grep -c "configuration reloaded" "$work/daemon.log")
echo "soak: ${reloads} reloads sent, ${done_reloads} done; ${flaps} health flaps"
[ "$done_reloads" -eq "$reloads" ] || { echo "soak: FAIL: reloads refused or lost"; grep -i reload "$work/daemon.log" | tail; fail=1; }
if grep -q "panic\|fatal error" "$work/daemon.log"; then echo "soak: FAIL: the daemon panicked"; fail=1; fi
for f in ka close l4; do
	echo "--- wrk $f"; grep -E "requests in|Socket errors|Non-2xx|Requests/sec|99%" "$work/wrk-$f.txt"
done
[ $fail -eq 0 ] && echo "soak: PASS" || echo "soak: FAIL (kept in $work)"
[ $fail -eq 0 ] || KEEP=1
exit $fail
