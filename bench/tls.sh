#!/usr/bin/env bash
# TLS bench (bench/run.sh calls it when SECTIONS contains "tls"; it also
# runs alone): haproxy 2.6 `bind ... ssl crt FILE alpn h2,http/1.1` against
# haappliance `tls = { certificates = [FILE], alpn = ["h2", "http/1.1"] }`,
# the same ECDSA P-256 certificate, the same nginx backend on 127.0.0.1.
# Two figures, ROUNDS interleaved rounds of DURATION each, medians, ranges,
# ratios:
#   - full handshakes/s: bench/tlsrate, TLS_CONNS workers, no session
#     resumption, one HTTP/1.0 request per connection, X25519;
#   - HTTPS keep-alive req/s: wrk -t2 -c WRK_CONNS over https (HTTP/1.1).
# Bounded: every load is DURATION long, ROUNDS rounds.
#
#   BIN=bin/haappliance ROUNDS=5 DURATION=3s ./bench/tls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-3s}
TLS_CONNS=${TLS_CONNS:-20}
WRK_CONNS=${WRK_CONNS:-50}
BIN=${BIN:-bin/haappliance}

for tool in haproxy nginx wrk openssl; do
  command -v $tool >/dev/null 2>&1 || [ -x /usr/sbin/$tool ] || { echo "bench tls: $tool missing (make deps as root installs it)"; exit 1; }
done
[ -x "$BIN" ] || { echo "bench tls: $BIN missing (make build)"; exit 1; }

NAME=bench-tls
. "$(dirname "$0")/lib.sh"
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
range() { sort -g | awk 'NR==1{min=$1} {max=$1} END {printf "%.0f-%.0f\n", min, max}'; }

BACKEND=$(port); HAP=$(port); OURS=$(port)

# One self-signed ECDSA P-256 certificate and key in one PEM file (haproxy's crt layout).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=bench.example -addext subjectAltName=DNS:bench.example \
  -keyout "$work/key.pem" -out "$work/crt.pem" 2>/dev/null
cat "$work/crt.pem" "$work/key.pem" > "$work/bench.pem"

start_nginx $BACKEND 4096

http_pair tls 4000 $HAP $OURS "ssl crt $work/bench.pem alpn h2,http/1.1" 'tls = { certificates = ["'"$work/bench.pem"'"], alpn = ["h2", "http/1.1"] }'
haproxy -db -f "$work/tls.cfg" &
pids+=($!)

"$BIN" run -c "$work/tls.toml" --no-sysctl 2>"$work/ours.log" &
pids+=($!)
wait_port $BACKEND; wait_port $HAP; wait_port $OURS

go build -o "$work/tlsrate" ./bench/tlsrate

# run_hs PORT -> "handshakes/s errors version cipher"
run_hs() { "$work/tlsrate" -addr "127.0.0.1:$1" -c "$TLS_CONNS" -d "$DURATION"; }
# run_wrk PORT -> "req/s errors..."
run_wrk() {
  local out rps errs
  out=$(wrk -t2 -c"$WRK_CONNS" -d"$DURATION" "https://127.0.0.1:$1/" 2>&1)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  echo "${rps:-0} ${errs:-}"
}

echo "# TLS, $ROUNDS interleaved rounds of $DURATION, $(nproc) cores shared by the load tool, proxy and nginx"
for fig in hs ka; do
  : > "$work/hap.$fig"; : > "$work/ours.$fig"
  for r in $(seq 1 "$ROUNDS"); do
    if (( r % 2 )); then order="hap ours"; else order="ours hap"; fi
    for who in $order; do
      p=$HAP; [ $who = ours ] && p=$OURS
      if [ $fig = hs ]; then run_hs $p; else run_wrk $p; fi >> "$work/$who.$fig"
    done
  done
done

printf "%-34s %-12s %12s %18s %s\n" figure proxy median range notes
for fig in hs ka; do
  title="full handshakes/s, $TLS_CONNS workers"; [ $fig = ka ] && title="https keep-alive req/s, wrk -c$WRK_CONNS"
  for who in hap ours; do
    name=haproxy; [ $who = ours ] && name=haappliance
    m=$(cut -d' ' -f1 "$work/$who.$fig" | median); rg=$(cut -d' ' -f1 "$work/$who.$fig" | range)
    if [ $fig = hs ]; then
      notes="errors $(awk '{s+=$2} END {print s}' "$work/$who.$fig"); $(tail -1 "$work/$who.$fig" | cut -d' ' -f3-)"
    else
      notes=$(cut -d' ' -f2- "$work/$who.$fig" | tr -s ' \n' ' ')
    fi
    printf "%-34s %-12s %12.0f %18s %s\n" "$title" $name "$m" "$rg" "$notes"
    eval "${who}_$fig=$m"
  done
done
awk -v a="$ours_hs" -v b="$hap_hs" -v c="$ours_ka" -v d="$hap_ka" \
  'BEGIN {printf "ratio  handshakes/s %.2fx haproxy, https keep-alive req/s %.2fx haproxy (bar >= 1.0)\n", a/b, c/d}'
