package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"text/template"
	"time"
)

// demoServers are the seed scenario's six web servers (SPEC §3).
var demoServers = []string{"ms1.srv1", "ms1.srv2", "ms2.srv1", "ms2.srv2", "def.srv1", "def.srv2"}

// demoPorts are where `haappliance demo` listens. Tests use other ones.
type demoPorts struct {
	Host    string
	Web     []int // six ports, in demoServers order
	HTTP    int
	TCP     int
	Stats   int
	Control string
	MaxConn int
}

func defaultDemoPorts(dir string) demoPorts {
	return demoPorts{
		Host: "127.0.0.1", Web: []int{18001, 18002, 18003, 18004, 18005, 18006},
		HTTP: 9001, TCP: 9002, Stats: 1080, Control: filepath.Join(dir, "admin.sock"),
		MaxConn: demoMaxConn(),
	}
}

// demoMaxConn is the seed's maxconn (30000), lowered to what the open-file
// hard limit allows, so the demo runs without root anywhere.
func demoMaxConn() int {
	const seed = 30000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Max >= 2*seed+18 {
		return seed
	}
	if lim.Max < 2*256+18 {
		return 256
	}
	return int(lim.Max-18) / 2
}

var demoTemplate = template.Must(template.New("demo").Parse(`# The seed scenario on loopback (haappliance demo).
[global]
maxconn = {{.MaxConn}}
control_socket = "{{.Control}}"

[sysctl]
apply = false

[defaults]
mode = "http"
log = "global"
option = ["http-keep-alive", "forwardfor", "httplog"]
timeout = { connect = "5000ms", client = "10000ms", server = "50000ms", http_request = "20000ms" }
httpchk = { method = "GET", uri = "/healthCheck.html" }

[frontend.http-in]
bind = ["{{.Host}}:{{.HTTP}}"]
maxconn = {{.MaxConn}}
acl = ["url_ms1 path_beg -i /ms1/", "url_ms2 path_beg -i /ms2/"]
use_backend = ["ms1 if url_ms1", "ms2 if url_ms2"]
default_backend = "default_servers"

[backend.ms1]
balance = "roundrobin"
cookie = { name = "HA_STICKY_ms1", mode = "insert", indirect = true, nocache = true }
server = [
  { name = "ms1.srv1", address = "{{.Host}}:{{index .Web 0}}", cookie = "ms1.srv1", maxconn = 300, check = true, inter = "2000ms", rise = 2, fall = 3 },
  { name = "ms1.srv2", address = "{{.Host}}:{{index .Web 1}}", cookie = "ms1.srv2", maxconn = 300, check = true },
]

[backend.ms2]
balance = "roundrobin"
cookie = { name = "HA_STICKY_ms2", mode = "insert", indirect = true, nocache = true }
server = [
  { name = "ms2.srv1", address = "{{.Host}}:{{index .Web 2}}", cookie = "ms2.srv1", maxconn = 300, check = true },
  { name = "ms2.srv2", address = "{{.Host}}:{{index .Web 3}}", cookie = "ms2.srv2", maxconn = 300, check = true },
]

[backend.default_servers]
balance = "roundrobin"
cookie = { name = "HA_STICKY_def", mode = "insert", indirect = true, nocache = true }
server = [
  { name = "def.srv1", address = "{{.Host}}:{{index .Web 4}}", cookie = "def.srv1", maxconn = 300, check = true },
  { name = "def.srv2", address = "{{.Host}}:{{index .Web 5}}", cookie = "def.srv2", maxconn = 300, check = true },
]

[listen.stats]
bind = ["{{.Host}}:{{.Stats}}"]
mode = "http"
stats = { uri = "/stats", refresh = "30s", realm = "HAProxy Stats", auth = ["admin:admin"] }

[listen.tcp-in]
bind = ["{{.Host}}:{{.TCP}}"]
mode = "tcp"
option = ["tcplog"]
timeout = { client = "10000ms", server = "10000ms" }
balance = "roundrobin"
server = [
  { name = "def.srv1", address = "{{.Host}}:{{index .Web 4}}", maxconn = 300, check = true },
  { name = "def.srv2", address = "{{.Host}}:{{index .Web 5}}", maxconn = 300, check = true },
]
`))

// demoConfig renders the demo's TOML file.
func demoConfig(p demoPorts) []byte {
	var b bytes.Buffer
	if err := demoTemplate.Execute(&b, p); err != nil {
		panic(err) // the template is a constant; a failure is a programming error
	}
	return b.Bytes()
}

// demoWeb is one demo web server: "Hello! This is NAME!" on every path,
// and a health page that can be switched off with /healthCheck.html?fail
// and on with ?ok, so the demo can show a server going DOWN and UP.
type demoWeb struct {
	name string
	sick atomic.Bool
}

func (d *demoWeb) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthCheck.html" {
		switch {
		case r.URL.Query().Has("fail"):
			d.sick.Store(true)
		case r.URL.Query().Has("ok"):
			d.sick.Store(false)
		}
		if d.sick.Load() {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		fmt.Fprintln(w, "OK")
		return
	}
	fmt.Fprintf(w, "Hello! This is %s!\n", d.name)
}

// startDemoWeb starts the six demo web servers on the given ports (0 picks
// free ones) and returns the ports used and a stop function.
func startDemoWeb(host string, ports []int) ([]int, func(), error) {
	var servers []*http.Server
	stop := func() {
		for _, s := range servers {
			s.Close()
		}
	}
	used := make([]int, len(demoServers))
	for i, name := range demoServers {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(ports[i])))
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("demo web server %s: %w", name, err)
		}
		used[i] = ln.Addr().(*net.TCPAddr).Port
		s := &http.Server{Handler: &demoWeb{name: name}, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, s)
		go s.Serve(ln)
	}
	return used, stop, nil
}

func cmdDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pair := fs.Bool("pair", false, "as root: the two-host VRRP lab in network namespaces, with a takeover (pair.go)")
	webOnly := fs.String("web", "", "only run the demo web servers on these comma-separated ADDR:PORTs (the web host of --pair)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *pair {
		return demoPair(stdout, stderr)
	}
	if *webOnly != "" {
		ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer cancel()
		if err := serveDemoWeb(ctx, strings.Split(*webOnly, ",")); err != nil {
			fmt.Fprintln(stderr, "haappliance demo:", err)
			return 1
		}
		return 0
	}
	dir, err := os.MkdirTemp("", "haappliance-demo-")
	if err != nil {
		fmt.Fprintln(stderr, "haappliance demo:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	p := defaultDemoPorts(dir)
	web, stopWeb, err := startDemoWeb(p.Host, p.Web)
	if err != nil {
		fmt.Fprintln(stderr, "haappliance demo:", err)
		return 1
	}
	defer stopWeb()
	p.Web = web
	cfgPath := filepath.Join(dir, "demo.toml")
	if err := os.WriteFile(cfgPath, demoConfig(p), 0o600); err != nil {
		fmt.Fprintln(stderr, "haappliance demo:", err)
		return 1
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	fmt.Fprintf(stdout, `haappliance demo: the seed scenario on loopback (VRRP off)
  web servers   %[1]s:18001-18006 (ms1.srv1 ... def.srv2)
  L7 frontend   curl -i http://%[1]s:%[2]d/ms1/   (routes /ms1/, /ms2/, others to default_servers)
  L4 frontend   curl -i http://%[1]s:%[3]d/       (mode tcp, round robin)
  stats         http://%[1]s:%[4]d/stats  (admin/admin)
  admin         haappliance admin -S %[5]s show stat
  make a server fail its check: curl '%[1]s:%[6]d/healthCheck.html?fail'  (?ok to heal)
configuration: %[7]s
Ctrl-C to stop.
`, p.Host, p.HTTP, p.TCP, p.Stats, p.Control, p.Web[0], cfgPath)
	err = runDaemon(ctx, cfgPath, daemonOptions{noSysctl: true, stderr: stderr})
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "haappliance demo:", err)
		return 1
	}
	return 0
}
