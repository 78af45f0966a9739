package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"haappliance/internal/lab"
)

// Namespace lab tests with the real binary (SPEC §10). They need root and
// iproute2 (CI is root) and skip with the reason otherwise; keepalived and
// rsyslogd come from Debian's packages (make deps).

var labVIP = netip.MustParseAddr("198.18.0.100")

// labHosts are the hosts of SPEC §10: the appliances, a client, and the
// web servers on their own subnet of the same segment.
var labHosts = []lab.HostSpec{
	{Name: "ha1", Addrs: []string{"198.18.0.11/24"}},
	{Name: "ha2", Addrs: []string{"198.18.0.12/24"}},
	{Name: "client", Addrs: []string{"198.18.0.50/24"}},
	{Name: "web", Addrs: []string{"198.18.1.21/24", "198.18.1.22/24"}},
}

func needLab(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("namespace lab skipped in -short mode")
	}
	if err := lab.Available(); err != nil {
		t.Skipf("namespace lab unavailable: %v", err)
	}
}

// newLab builds hosts; with web servers, the appliances get a route to
// 198.18.1.0/24 on eth0 (metric 100, so a test's blackhole route wins) and
// the web host one back.
func newLab(t *testing.T, hosts []lab.HostSpec) *lab.Lab {
	t.Helper()
	needLab(t)
	applianceBinary(t) // built before any timing starts
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := lab.New(ctx, hosts, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	if web := l.Host("web"); web != nil {
		for _, h := range l.Hosts {
			if strings.HasPrefix(h.Name, "ha") {
				mustExec(t, h, "ip", "route", "add", "198.18.1.0/24", "dev", "eth0", "metric", "100")
			}
		}
		mustExec(t, web, "ip", "route", "add", "198.18.0.0/24", "dev", "eth0")
		p, err := web.Start(applianceBinary(t), "demo", "--web", "198.18.1.21:8080,198.18.1.22:8080")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("web servers:\n%s", p.Output())
			}
		})
	}
	return l
}

func mustExec(t *testing.T, h *lab.Host, name string, args ...string) string {
	t.Helper()
	out, err := h.Exec(context.Background(), name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// node is one haappliance started in a lab host.
type node struct {
	h       *lab.Host
	p       *lab.Proc
	sock    string
	cfgPath string
}

// startNode writes conf (with control_socket and sysctl prepended) and runs
// the real binary on it in h.
func startNode(t *testing.T, h *lab.Host, conf string) *node {
	t.Helper()
	dir := t.TempDir()
	n := &node{h: h, sock: filepath.Join(dir, "admin.sock"), cfgPath: filepath.Join(dir, "haappliance.toml")}
	full := fmt.Sprintf("[global]\nmaxconn = 1000\ncontrol_socket = %q\n", n.sock) + conf
	if err := os.WriteFile(n.cfgPath, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := applianceBinary(t)
	if out, err := exec.Command(bin, "check", "-c", n.cfgPath).CombinedOutput(); err != nil {
		t.Fatalf("check %s: %v\n%s\n%s", h.Name, err, out, full)
	}
	p, err := h.Start(bin, "run", "--no-sysctl", "-c", n.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	n.p = p
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s (haappliance) log:\n%s", h.Name, p.Output())
		}
	})
	return n
}

// admin runs `haappliance admin` against the node.
func (n *node) admin(t *testing.T, cmd ...string) string {
	t.Helper()
	out, err := exec.Command(applianceBinary(t), append([]string{"admin", "-S", n.sock}, cmd...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("admin %s on %s: %v: %s", strings.Join(cmd, " "), n.h.Name, err, out)
	}
	return string(out)
}

// labStatus is `haappliance status --json` (SPEC §9.5).
type labStatus struct {
	Instances []struct {
		Name              string `json:"name"`
		State             string `json:"state"`
		BasePriority      int    `json:"base_priority"`
		EffectivePriority int    `json:"effective_priority"`
		VIPs              []struct {
			Address string `json:"address"`
			Held    bool   `json:"held"`
		} `json:"vips"`
		Master string `json:"master"`
		Reason string `json:"reason"`
		Tracks []struct {
			Kind   string `json:"kind"`
			Target string `json:"target"`
			Weight int    `json:"weight"`
			OK     bool   `json:"ok"`
		} `json:"tracks"`
	} `json:"instances"`
}

func (n *node) status() (*labStatus, string, error) {
	out, err := exec.Command(binPath, "status", "--json", "-S", n.sock).Output()
	if err != nil {
		return nil, string(out), err
	}
	var st labStatus
	if err := json.Unmarshal(out, &st); err != nil {
		return nil, string(out), err
	}
	return &st, string(out), nil
}

// waitStatus polls `status --json` until ok holds, or fails the test
// after timeout.
func (n *node) waitStatus(t *testing.T, what string, ok func(*labStatus) bool, timeout time.Duration) *labStatus {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, raw, err := n.status()
		if err == nil && ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s not reached within %v; last status (err %v):\n%s", n.h.Name, what, timeout, err, raw)
		}
		time.Sleep(50 * time.Millisecond) // polling an external process; bounded by the deadline
	}
}

// nsWorker is a goroutine locked to an OS thread that lives in a lab
// host's namespace: sockets it creates belong to that namespace and work
// from any goroutine afterwards. The thread is never returned to the
// runtime (its goroutine exits with the lock held, which ends the thread).
type nsWorker struct {
	jobs chan func()
	done chan struct{} // closed at cleanup; jobs is never closed, so a late dial cannot panic
}

func newNSWorker(t *testing.T, h *lab.Host) *nsWorker {
	t.Helper()
	w := &nsWorker{jobs: make(chan func()), done: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with us
		target, err := netns.GetFromName(h.NS)
		if err != nil {
			errc <- err
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			errc <- err
			return
		}
		errc <- nil
		for {
			select {
			case job := <-w.jobs:
				job()
			case <-w.done:
				return
			}
		}
	}()
	if err := <-errc; err != nil {
		t.Fatalf("namespace %s: %v", h.NS, err)
	}
	t.Cleanup(func() { close(w.done) })
	return w
}

// errWorkerDone is what a job submitted after the test ended gets.
var errWorkerDone = errors.New("namespace worker stopped")

// run hands job to the namespace's thread, or reports that it has stopped.
func (w *nsWorker) run(job func()) bool {
	return w.runCtx(context.Background(), job) == nil
}

// runCtx is run that also gives up when ctx ends (a dial that http.Transport
// abandoned during a failover must not wait for the thread).
func (w *nsWorker) runCtx(ctx context.Context, job func()) error {
	select {
	case w.jobs <- job:
		return nil
	case <-w.done:
		return errWorkerDone
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dial connects from the namespace.
func (w *nsWorker) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	if err := w.runCtx(ctx, func() {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		ch <- res{c, err}
	}); err != nil {
		return nil, err
	}
	r := <-ch
	return r.c, r.err
}

// listenUDP opens a UDP socket in the namespace.
func (w *nsWorker) listenUDP(addr string) (net.PacketConn, error) {
	type res struct {
		c   net.PacketConn
		err error
	}
	ch := make(chan res, 1)
	if !w.run(func() {
		c, err := net.ListenPacket("udp", addr)
		ch <- res{c, err}
	}) {
		return nil, errWorkerDone
	}
	r := <-ch
	return r.c, r.err
}

// httpClient is a client in the namespace opening a new connection per
// request, so every request tests where the VIP is now.
func (w *nsWorker) httpClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{DialContext: w.dial, DisableKeepAlives: true},
	}
}

// get fetches url and returns the body, or an error for a non-200.
func get200(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != 200 {
		return string(b), fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return string(b), nil
}

// watchVIP follows the VIP on h through netlink.
func watchVIP(t *testing.T, h *lab.Host) *lab.AddrWatch {
	t.Helper()
	w, err := h.WatchAddr(labVIP)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

func waitVIP(t *testing.T, w *lab.AddrWatch, want bool, timeout time.Duration) time.Time {
	t.Helper()
	at, err := w.Wait(context.Background(), want, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
