#!/usr/bin/env bash
# make bench: haappliance side by side with haproxy from Debian's packages,
# same nginx backend, same load generator (wrk), interleaved rounds; prints
# medians, ranges and the ratio. Traffic stays on 127.0.0.1. Every load is
# bounded in time (DURATION per run) and count (ROUNDS).
#
#   ROUNDS=5 DURATION=5s CONNS="50 1000" ./bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-"50 1000"}
BIN=${BIN:-bin/haappliance}
SECTIONS=${SECTIONS:-"l7 mem l4 reload vrrp"}
IDLE_CONNS=${IDLE_CONNS:-9000}
MEM_ROUNDS=${MEM_ROUNDS:-3}

for tool in haproxy nginx wrk; do
  command -v $tool >/dev/null 2>&1 || [ -x /usr/sbin/$tool ] || { echo "bench: $tool missing (make deps as root installs it)"; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN missing (make build)"; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

NAME=bench
. "$(dirname "$0")/lib.sh"

BACKEND=$(port); HAP=$(port); OURS=$(port)

start_nginx $BACKEND 9500

http_pair main 9000 $HAP $OURS
haproxy -db -f "$work/main.cfg" &
pids+=($!)

"$BIN" run -c "$work/main.toml" --no-sysctl 2>"$work/ours.log" &
pids+=($!)
wait_port $BACKEND; wait_port $HAP; wait_port $OURS

# run_wrk PORT CONNS -> "reqs p99ms"
run_wrk() {
  local out
  out=$(wrk -t2 -c"$2" -d"$DURATION" --latency "http://127.0.0.1:$1/" 2>&1)
  local rps p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  echo "$rps $p99 ${errs:-}"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
range() { sort -g | awk 'NR==1{min=$1} {max=$1} END {print min "-" max}'; }

if [[ " $SECTIONS " == *" l7 "* ]]; then
  echo "# L7 keep-alive, wrk -t2 -d$DURATION, $ROUNDS interleaved rounds, $(nproc) cores shared by wrk, proxy and nginx"
  printf "%-6s %-12s %12s %16s %10s %16s\n" conns proxy "req/s(med)" "req/s range" "p99 ms" "p99 range"
  for c in $CONNS; do
    : > "$work/hap.$c"; : > "$work/ours.$c"
    for r in $(seq 1 "$ROUNDS"); do
      if (( r % 2 )); then order="hap ours"; else order="ours hap"; fi
      for who in $order; do
        p=$HAP; [ $who = ours ] && p=$OURS
        run_wrk $p $c >> "$work/$who.$c"
      done
    done
    for who in hap ours; do
      name=haproxy; [ $who = ours ] && name=haappliance
      rm=$(cut -d' ' -f1 "$work/$who.$c" | median); rr=$(cut -d' ' -f1 "$work/$who.$c" | range)
      pm=$(cut -d' ' -f2 "$work/$who.$c" | median); pr=$(cut -d' ' -f2 "$work/$who.$c" | range)
      printf "%-6s %-12s %12.0f %16s %10.2f %16s\n" $c $name "$rm" "$rr" "$pm" "$pr"
      eval "${who}_rps_$c=$rm; ${who}_p99_$c=$pm"
    done
    errs=$(cut -d' ' -f3- "$work/ours.$c" "$work/hap.$c" | tr -s ' \n' ' ')
    [ -n "${errs// /}" ] && echo "  errors seen: $errs"
    awk -v a="$(eval echo \$ours_rps_$c)" -v b="$(eval echo \$hap_rps_$c)" -v pa="$(eval echo \$ours_p99_$c)" -v pb="$(eval echo \$hap_p99_$c)" -v c=$c \
      'BEGIN {printf "ratio  c%-5s req/s %.2fx haproxy (bar >= 1.0), p99 %.2fx haproxy (bar <= 1.0)\n", c, a/b, pa/pb}'
  done
fi

# ---------------------------------------------------------------------------
# Memory per idle keep-alive client connection (SECTIONS contains "mem"):
# fresh haproxy and haappliance processes with the same configuration as
# above, each round: read VmRSS, open IDLE_CONNS keep-alive connections with
# one request each (bench/idlemem), let them idle 2 s, read VmRSS again; the
# figure is (after - before) / IDLE_CONNS. 9000 and not 10k connections:
# haproxy refuses a maxconn whose 2 fds per connection exceed the hard
# RLIMIT_NOFILE (20000 here). Bounded: MEM_ROUNDS rounds, 60 s hold at most.
if [[ " $SECTIONS " == *" mem "* ]]; then
  go build -o "$work/idlemem" ./bench/idlemem
  # idlemem holds its connections until its standard input ends: give it a
  # FIFO this shell keeps open for writing (</dev/null would end at once and
  # the figure would be read after the connections closed).
  mkfifo "$work/hold"; exec 7<>"$work/hold"
  rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
  memcfg=$((IDLE_CONNS + 500))
  # mem_round WHO -> "KB_per_conn open errors"
  mem_round() {
    local pid mp
    mp=$(port)
    http_pair mem "$memcfg" "$mp" "$mp"
    if [ "$1" = hap ]; then
      haproxy -db -f "$work/mem.cfg" >/dev/null 2>&1 & pid=$!
    else
      "$BIN" run -c "$work/mem.toml" --no-sysctl >/dev/null 2>>"$work/ours-mem.log" & pid=$!
    fi
    pids+=($pid)
    wait_port "$mp"; sleep 0.5
    local before after
    before=$(rss $pid)
    rm -f "$work/ready"
    "$work/idlemem" -addr "127.0.0.1:$mp" -n "$IDLE_CONNS" -hold 60s -ready "$work/ready" <&7 >/dev/null &
    local tool=$!
    for _ in $(seq 1 600); do [ -s "$work/ready" ] && break; sleep 0.1; done
    sleep 2
    after=$(rss $pid)
    kill $tool 2>/dev/null || true; wait $tool 2>/dev/null || true
    kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
    awk -v a="$after" -v b="$before" -v n="$IDLE_CONNS" -v r="$(cat "$work/ready" 2>/dev/null || echo '0 0')" \
      'BEGIN {split(r, f, " "); printf "%.2f %d %d\n", (a-b)/n, f[1], f[2]}'
  }
  echo
  echo "# memory per idle keep-alive client connection: $IDLE_CONNS held, $MEM_ROUNDS rounds, fresh processes, VmRSS delta / connections (kB as /proc reports them)"
  : > "$work/hap.mem"; : > "$work/ours.mem"
  for r in $(seq 1 "$MEM_ROUNDS"); do
    if (( r % 2 )); then order="hap ours"; else order="ours hap"; fi
    for who in $order; do mem_round $who >> "$work/$who.mem"; done
  done
  printf "%-12s %14s %16s %s\n" proxy "KB/conn(med)" "range" "connections held (errors)"
  for who in hap ours; do
    name=haproxy; [ $who = ours ] && name=haappliance
    m=$(cut -d' ' -f1 "$work/$who.mem" | median); rg=$(cut -d' ' -f1 "$work/$who.mem" | range)
    held=$(awk '{printf "%s(%s) ", $2, $3}' "$work/$who.mem")
    printf "%-12s %14.2f %16s %s\n" $name "$m" "$rg" "$held"
    eval "${who}_mem=$m"
  done
  awk -v a="$ours_mem" -v b="$hap_mem" 'BEGIN {printf "ratio  idle memory %.2fx haproxy (bar <= 1.0)\n", a/b}'
fi

# ---------------------------------------------------------------------------
# L4 (SECTIONS contains "l4"; owned by the TCP-mode work): throughput with
# iperf3 and new connections per second with bench/connrate, through
# haproxy `mode tcp` with splice forced (option splice-request and
# splice-response, its best case) and through haappliance mode tcp. Same
# backends for both: an iperf3 server, and the nginx above for connrate
# (connect, "GET / HTTP/1.0", read to EOF, close). Interleaved rounds,
# medians. Bounded: ROUNDS rounds of DURATION each, L4_CONNS workers.
# maxconn 4000 on both sides keeps haproxy (which adds maxconn/4 splice
# pipes) within a hard open-file limit of 20000.
if [[ " $SECTIONS " == *" l4 "* ]]; then
  command -v iperf3 >/dev/null 2>&1 || { echo "bench: iperf3 missing (make deps as root installs it)"; exit 1; }
  L4_CONNS=${L4_CONNS:-50}
  secs=${DURATION%s}
  IPERF=$(port); HAP4=$(port); HAP4C=$(port); OURS4=$(port); OURS4C=$(port)
  go build -o "$work/connrate" ./bench/connrate
  iperf3 -s -B 127.0.0.1 -p "$IPERF" >/dev/null 2>&1 &
  pids+=($!)
  cat > "$work/haproxy4.cfg" <<HAP4CFG
global
    maxconn 4000
defaults
    mode tcp
    option splice-request
    option splice-response
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen l4-iperf
    bind 127.0.0.1:$HAP4
    server s1 127.0.0.1:$IPERF
listen l4-conn
    bind 127.0.0.1:$HAP4C
    server s1 127.0.0.1:$BACKEND
HAP4CFG
  haproxy -db -f "$work/haproxy4.cfg" &
  pids+=($!)
  cat > "$work/haappliance4.toml" <<OURS4CFG
[global]
maxconn = 4000
control_socket = "$work/admin4.sock"
[sysctl]
apply = false
[defaults]
mode = "tcp"
timeout = { connect = "5s", client = "30s", server = "30s" }
[listen.l4-iperf]
bind = ["127.0.0.1:$OURS4"]
server = [ { name = "s1", address = "127.0.0.1:$IPERF" } ]
[listen.l4-conn]
bind = ["127.0.0.1:$OURS4C"]
server = [ { name = "s1", address = "127.0.0.1:$BACKEND" } ]
OURS4CFG
  "$BIN" run -c "$work/haappliance4.toml" --no-sysctl 2>"$work/ours4.log" &
  pids+=($!)
  wait_port $IPERF; wait_port $HAP4; wait_port $HAP4C; wait_port $OURS4; wait_port $OURS4C

  # run_iperf PORT -> Gbit/s received; a run the iperf3 server refused
  # (still busy with the previous test) is tried again, at most 3 times.
  run_iperf() {
    local v
    for _ in 1 2 3; do
      v=$(iperf3 -c 127.0.0.1 -p "$1" -t "$secs" -J 2>/dev/null |
        python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null) &&
        { echo "$v"; return; }
      sleep 1
    done
    echo "bench: iperf3 through port $1 failed 3 times" >&2; echo 0
  }
  # run_connrate PORT -> "conn/s errors"
  run_connrate() { "$work/connrate" -addr "127.0.0.1:$1" -c "$L4_CONNS" -d "$DURATION"; }

  echo
  echo "# L4 mode tcp, $ROUNDS interleaved rounds of $DURATION, $(nproc) cores shared by the load tool, proxy and backend"
  : > "$work/hap4.tput"; : > "$work/ours4.tput"; : > "$work/hap4.rate"; : > "$work/ours4.rate"
  for r in $(seq 1 "$ROUNDS"); do
    if (( r % 2 )); then order="hap4 ours4"; else order="ours4 hap4"; fi
    for who in $order; do
      if [ $who = hap4 ]; then tp=$HAP4; cp=$HAP4C; else tp=$OURS4; cp=$OURS4C; fi
      run_iperf $tp >> "$work/$who.tput"
      run_connrate $cp >> "$work/$who.rate"
    done
  done
  printf "%-28s %-12s %10s %16s\n" figure proxy median range
  for who in hap4 ours4; do
    name=haproxy; [ $who = ours4 ] && name=haappliance
    tm=$(median < "$work/$who.tput"); tr=$(range < "$work/$who.tput")
    cm=$(cut -d' ' -f1 "$work/$who.rate" | median); cr=$(cut -d' ' -f1 "$work/$who.rate" | range)
    ce=$(cut -d' ' -f2 "$work/$who.rate" | awk '{s+=$1} END {print s+0}')
    printf "%-28s %-12s %10.2f %16s\n" "iperf3 Gbit/s" $name "$tm" "$tr"
    printf "%-28s %-12s %10.0f %16s  (errors: %s)\n" "new conn/s (c=$L4_CONNS)" $name "$cm" "$cr" "$ce"
    eval "${who}_tput=$tm; ${who}_rate=$cm"
  done
  awk -v a="$ours4_tput" -v b="$hap4_tput" -v c="$ours4_rate" -v d="$hap4_rate" \
    'BEGIN {printf "ratio  throughput %.2fx haproxy (bar >= 1.0), new conn/s %.2fx haproxy (bar >= 1.0)\n", a/b, c/d}'
fi

# Ceiling (SECTIONS contains "ceiling"): bench/ceiling, a featureless Go
# proxy in three shapes (an epoll event loop per core as haproxy; a
# goroutine per connection as haappliance; goroutine-style code run as
# coroutines by the event loops), beside haproxy and haappliance with the
# same load: how far each shape goes in Go on this machine, for the L7
# bars' context. Not a bar.
if [[ " $SECTIONS " == *" ceiling "* ]]; then
  go build -o "$work/ceiling" ./bench/ceiling
  declare -A cport=([hap]=$HAP [ours]=$OURS)
  for m in loop goroutine coroutine; do
    cport[$m]=$(port)
    "$work/ceiling" -mode $m -listen "127.0.0.1:${cport[$m]}" -backend "127.0.0.1:$BACKEND" > "$work/ceiling.$m" &
    pids+=($!)
    wait_port ${cport[$m]}
  done
  who_all="hap ours loop goroutine coroutine"
  echo
  echo "# ceiling: bench/ceiling (featureless Go proxy: -mode loop, goroutine, coroutine) beside both proxies, wrk -t2 -d$DURATION, $ROUNDS interleaved rounds"
  printf "%-6s %-16s %12s %16s %10s %16s %8s %8s\n" conns proxy "req/s(med)" "req/s range" "p99 ms" "p99 range" "req/s/hap" "p99/hap"
  for c in $CONNS; do
    for who in $who_all; do : > "$work/c_$who.$c"; done
    for r in $(seq 1 "$ROUNDS"); do
      if (( r % 2 )); then order=$who_all; else order=$(tr ' ' '\n' <<<"$who_all" | tac | tr '\n' ' '); fi
      for who in $order; do run_wrk ${cport[$who]} $c >> "$work/c_$who.$c"; done
    done
    hr=$(cut -d' ' -f1 "$work/c_hap.$c" | median); hp=$(cut -d' ' -f2 "$work/c_hap.$c" | median)
    for who in $who_all; do
      case $who in hap) name=haproxy;; ours) name=haappliance;; *) name="ceiling-$who";; esac
      rm=$(cut -d' ' -f1 "$work/c_$who.$c" | median); rr=$(cut -d' ' -f1 "$work/c_$who.$c" | range)
      pm=$(cut -d' ' -f2 "$work/c_$who.$c" | median); pr=$(cut -d' ' -f2 "$work/c_$who.$c" | range)
      printf "%-6s %-16s %12.0f %16s %10.2f %16s %7.2fx %7.2fx\n" $c $name "$rm" "$rr" "$pm" "$pr" \
        "$(awk -v a=$rm -v b=$hr 'BEGIN {print a/b}')" "$(awk -v a=$pm -v b=$hp 'BEGIN {print a/b}')"
    done
    errs=$(for who in $who_all; do cut -d' ' -f3- "$work/c_$who.$c"; done | tr -s ' \n' ' ')
    [ -n "${errs// /}" ] && echo "  errors seen: $errs"
  done
fi

# VRRP failover (SECTIONS contains "vrrp"): the real binary vs keepalived in
# the namespace lab, 5 runs per figure; the table also replaces the section
# "VRRP failover" of docs/performance.md. Needs root and keepalived (make
# deps as root installs it); skipped with a message otherwise.
if [[ " $SECTIONS " == *" vrrp "* ]]; then
  echo
  if [ "$(id -u)" != 0 ] || ! command -v keepalived >/dev/null 2>&1; then
    echo "# VRRP failover: skipped (needs root and keepalived; make deps as root installs it)"
  else
    echo "# VRRP failover, haappliance vs keepalived in the namespace lab"
    go run ./vrrp/bench -out docs/performance.md -ours "$PWD/$BIN run --no-sysctl -c {config}"
  fi
fi

# TLS (SECTIONS contains "tls"): handshakes/s and HTTPS keep-alive req/s, haproxy vs haappliance (bench/tls.sh).
if [[ " $SECTIONS " == *" tls "* ]]; then BIN="$BIN" ROUNDS="$ROUNDS" DURATION="${TLS_DURATION:-3s}" ./bench/tls.sh; fi

# Failed requests during SIGHUP reloads under load (SECTIONS contains "reload"; bar 0): bench/reload.sh.
if [[ " $SECTIONS " == *" reload "* ]]; then BIN="$BIN" ./bench/reload.sh; fi
