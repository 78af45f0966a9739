# bench/lib.sh — shared by bench/run.sh, tls.sh and reload.sh: a work
# folder removed at exit with every process started into $pids killed by
# PID, free loopback ports, waiting for a port, and the nginx backend.
# Source it after setting NAME (used in messages and the folder name).

work=$(mktemp -d "/tmp/haappliance-${NAME:-bench}.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# port prints a loopback TCP port that was free a moment ago.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# wait_port PORT: wait up to 5 s for something to accept on 127.0.0.1:PORT.
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "${NAME:-bench}: nothing on port $1"; exit 1; }

# start_nginx PORT [CONNS]: the backend every figure shares, answering a
# short body on every path, keep-alive without limit; CONNS worker
# connections (default 4096).
start_nginx() {
  local conns=${2:-4096}
  mkdir -p "$work/nginx"
  cat > "$work/nginx.conf" <<NGX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
worker_rlimit_nofile $((conns * 2));
events { worker_connections $conns; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$1; location / { return 200 "Hello! This is the bench backend.\n"; } }
}
NGX
  nginx -c "$work/nginx.conf" -g 'daemon off;' &
  pids+=($!)
}

# http_pair PREFIX MAXCONN HAP_PORT OURS_PORT [HAP_BIND_OPTS] [OURS_FE_LINE]
# writes $work/PREFIX.cfg (haproxy) and $work/PREFIX.toml (haappliance): the
# same HTTP keep-alive frontend on 127.0.0.1 in front of the nginx backend
# on $BACKEND, at the same maxconn. HAP_BIND_OPTS is appended to haproxy's
# bind line (e.g. "ssl crt FILE alpn h2,http/1.1"), OURS_FE_LINE added to
# haappliance's frontend (e.g. its tls table).
http_pair() {
  local prefix=$1 maxconn=$2 hap=$3 ours=$4 hapbind=${5:-} oursfe=${6:-}
  cat > "$work/$prefix.cfg" <<HAP
global
    maxconn $maxconn
defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:$hap $hapbind
    default_backend be
backend be
    server s1 127.0.0.1:$BACKEND maxconn $maxconn
HAP
  cat > "$work/$prefix.toml" <<OURS
[global]
maxconn = $maxconn
control_socket = "$work/$prefix.sock"
[sysctl]
apply = false
[defaults]
mode = "http"
option = ["http-keep-alive"]
timeout = { connect = "5s", client = "30s", server = "30s" }
[frontend.fe]
bind = ["127.0.0.1:$ours"]
$oursfe
default_backend = "be"
[backend.be]
server = [ { name = "s1", address = "127.0.0.1:$BACKEND", maxconn = $maxconn } ]
OURS
}
