package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/template"
	"time"

	"haappliance/internal/lab"
)

// `haappliance demo --pair` (SPEC §3, §10): the two-host lab in network
// namespaces — ha1 (198.18.0.11) and ha2 (198.18.0.12) running this very
// binary as master and backup of VIP 198.18.0.100, the six demo web
// servers in a namespace of their own (198.18.1.21-26) — shows who owns
// the VIP, kills the master (SIGKILL) and shows the takeover and how long
// it took. Everything is removed at the end, also on Ctrl-C or failure.

var pairVIP = netip.MustParseAddr("198.18.0.100")

// pairNode is one appliance of the pair.
type pairNode struct {
	Name     string // lab host name
	Addr     string
	State    string
	Priority int
	Control  string
	Notify   string
}

var pairTemplate = template.Must(template.New("pair").Parse(`# haappliance demo --pair: node {{.Name}} ({{.Addr}})
[global]
maxconn = 1000
control_socket = "{{.Control}}"

[sysctl]
apply = false

[defaults]
mode = "http"
option = ["http-keep-alive", "forwardfor", "httplog"]
timeout = { connect = "2000ms", client = "10000ms", server = "10000ms", http_request = "5000ms" }
httpchk = { method = "GET", uri = "/healthCheck.html" }

[frontend.http-in]
bind = ["*:9001"]
acl = ["url_ms1 path_beg -i /ms1/", "url_ms2 path_beg -i /ms2/"]
use_backend = ["ms1 if url_ms1", "ms2 if url_ms2"]
default_backend = "default_servers"

[backend.ms1]
balance = "roundrobin"
server = [
  { name = "ms1.srv1", address = "198.18.1.21:8080", check = true, inter = "1000ms", rise = 2, fall = 2 },
  { name = "ms1.srv2", address = "198.18.1.22:8080", check = true, inter = "1000ms", rise = 2, fall = 2 },
]

[backend.ms2]
balance = "roundrobin"
server = [
  { name = "ms2.srv1", address = "198.18.1.23:8080", check = true, inter = "1000ms", rise = 2, fall = 2 },
  { name = "ms2.srv2", address = "198.18.1.24:8080", check = true, inter = "1000ms", rise = 2, fall = 2 },
]

[backend.default_servers]
balance = "roundrobin"
server = [
  { name = "def.srv1", address = "198.18.1.25:8080", check = true, inter = "1000ms", rise = 2, fall = 2 },
  { name = "def.srv2", address = "198.18.1.26:8080", check = true, inter = "1000ms", rise = 2, fall = 2 },
]

[[vrrp.instance]]
name = "VI_1"
interface = "eth0"
state = "{{.State}}"
virtual_router_id = 51
priority = {{.Priority}}
advert_interval = "1s"
version = 3
virtual_ipaddress = ["198.18.0.100/24"]
garp_master_delay = "1s"
track = [
  { frontend = "http-in", weight = 2 },
  { backend = "default_servers", min_up = 1, weight = -20 },
]
`))

func pairConfig(n pairNode) []byte {
	var b bytes.Buffer
	if err := pairTemplate.Execute(&b, n); err != nil {
		panic(err) // the template is a constant
	}
	return b.Bytes()
}

// pairWebAddrs are the demo web servers of the lab, in demoServers order.
var pairWebAddrs = []string{"198.18.1.21:8080", "198.18.1.22:8080", "198.18.1.23:8080", "198.18.1.24:8080", "198.18.1.25:8080", "198.18.1.26:8080"}

// demoPair runs the pair demo and returns the exit code.
func demoPair(stdout, stderr io.Writer) int {
	if err := lab.Available(); err != nil {
		fmt.Fprintf(stderr, "haappliance demo --pair: %v\n", err)
		return 1
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := runPair(ctx, stdout); err != nil {
		fmt.Fprintf(stderr, "haappliance demo --pair: %v\n", err)
		return 1
	}
	return 0
}

func runPair(ctx context.Context, out io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "haappliance-pair-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintln(out, "building the lab: bridge, ha1 198.18.0.11, ha2 198.18.0.12, web 198.18.1.21-26 ...")
	webAddrs := []string{}
	for _, a := range pairWebAddrs {
		host, _, _ := net.SplitHostPort(a)
		webAddrs = append(webAddrs, host+"/24")
	}
	l, err := lab.New(ctx, []lab.HostSpec{
		{Name: "ha1", Addrs: []string{"198.18.0.11/24"}},
		{Name: "ha2", Addrs: []string{"198.18.0.12/24"}},
		{Name: "web", Addrs: webAddrs},
	}, nil)
	if err != nil {
		return err
	}
	defer func() {
		l.Close()
		fmt.Fprintln(out, "lab removed")
	}()
	ha1, ha2, web := l.Host("ha1"), l.Host("ha2"), l.Host("web")
	// The servers are one hop away on the same segment: routes, no router.
	for _, h := range []*lab.Host{ha1, ha2} {
		if _, err := h.Exec(ctx, "ip", "route", "add", "198.18.1.0/24", "dev", "eth0", "metric", "100"); err != nil {
			return err
		}
	}
	if _, err := web.Exec(ctx, "ip", "route", "add", "198.18.0.0/24", "dev", "eth0"); err != nil {
		return err
	}
	if _, err := web.Start(exe, "demo", "--web", strings.Join(pairWebAddrs, ",")); err != nil {
		return err
	}
	nodes := []pairNode{
		{Name: "ha1", Addr: "198.18.0.11", State: "MASTER", Priority: 101, Control: filepath.Join(dir, "ha1.sock")},
		{Name: "ha2", Addr: "198.18.0.12", State: "BACKUP", Priority: 100, Control: filepath.Join(dir, "ha2.sock")},
	}
	wm, err := ha1.WatchAddr(pairVIP)
	if err != nil {
		return err
	}
	defer wm.Close()
	wb, err := ha2.WatchAddr(pairVIP)
	if err != nil {
		return err
	}
	defer wb.Close()
	procs := map[string]*lab.Proc{}
	for _, n := range []pairNode{nodes[1], nodes[0]} { // backup first
		f := filepath.Join(dir, n.Name+".toml")
		if err := os.WriteFile(f, pairConfig(n), 0o600); err != nil {
			return err
		}
		p, err := l.Host(n.Name).Start(exe, "run", "--no-sysctl", "-c", f)
		if err != nil {
			return err
		}
		procs[n.Name] = p
		fmt.Fprintf(out, "started %s: haappliance run -c %s (priority %d, pid %d)\n", n.Name, f, n.Priority, p.PID())
	}
	if _, err := wm.Wait(ctx, true, 15*time.Second); err != nil {
		return fmt.Errorf("%w\nha1's log:\n%s", err, procs["ha1"].Output())
	}
	if err := waitStatus(ctx, nodes[0].Control, func(s *Status) bool {
		return len(s.Instances) == 1 && s.Instances[0].State == "MASTER"
	}, 10*time.Second); err != nil {
		return err
	}
	if err := waitStatus(ctx, nodes[1].Control, func(s *Status) bool {
		return len(s.Instances) == 1 && s.Instances[0].State == "BACKUP" && s.Instances[0].Master == "198.18.0.11"
	}, 10*time.Second); err != nil {
		return err
	}
	for _, n := range nodes {
		if err := printStatus(out, n); err != nil {
			return err
		}
	}
	wb.Drain()
	fmt.Fprintln(out, "\nkilling the master ha1 (SIGKILL) ...")
	t0 := time.Now()
	if err := procs["ha1"].Signal(syscall.SIGKILL); err != nil {
		return err
	}
	at, err := wb.Wait(ctx, true, 15*time.Second)
	if err != nil {
		return fmt.Errorf("%w\nha2's log:\n%s", err, procs["ha2"].Output())
	}
	fmt.Fprintf(out, "ha2 took the VIP %v after the kill (advert 1s: bound 3 x advert + skew = 3.609s)\n\n", at.Sub(t0).Round(time.Millisecond))
	if err := waitStatus(ctx, nodes[1].Control, func(s *Status) bool {
		return len(s.Instances) == 1 && s.Instances[0].State == "MASTER"
	}, 5*time.Second); err != nil {
		return err
	}
	return printStatus(out, nodes[1])
}

// printStatus prints a node's `haappliance status`.
func printStatus(out io.Writer, n pairNode) error {
	st, err := fetchStatus(n.Control)
	if err != nil {
		return fmt.Errorf("status of %s: %w", n.Name, err)
	}
	fmt.Fprintf(out, "\n$ haappliance status -S %s   # on %s\n", n.Control, n.Name)
	st.WriteText(out, time.Now())
	return nil
}

// waitStatus polls a node's status until ok or timeout.
func waitStatus(ctx context.Context, sock string, ok func(*Status) bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		st, err := fetchStatus(sock)
		if err == nil && ok(st) {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("status not reached within %v", timeout)
			}
			return fmt.Errorf("%s: %w", sock, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// serveDemoWeb runs the demo web servers on addrs (in demoServers order)
// until ctx ends: the web host of demo --pair.
func serveDemoWeb(ctx context.Context, addrs []string) error {
	var servers []*http.Server
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	for i, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("srv%d", i+1)
		if i < len(demoServers) {
			name = demoServers[i]
		}
		s := &http.Server{Handler: &demoWeb{name: name}, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, s)
		go s.Serve(ln)
	}
	<-ctx.Done()
	return nil
}

// fetchStatus asks a daemon for `show status json`.
func fetchStatus(sock string) (*Status, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ans, err := ask(ctx, sock, "show status json")
	if err != nil {
		return nil, err
	}
	var st Status
	if err := json.Unmarshal([]byte(ans), &st); err != nil {
		return nil, fmt.Errorf("unreadable answer %q: %w", ans, err)
	}
	return &st, nil
}
