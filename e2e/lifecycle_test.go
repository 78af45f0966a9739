package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// lifeConfig is a small configuration whose routing changes between
// versions: version N sends /v/ to backend vN.
func lifeConfig(dir string, port int, web []int, version int, extra string) string {
	return fmt.Sprintf(`[global]
maxconn = 2000
control_socket = %q
hard_stop_after = "10s"
%s
[sysctl]
apply = false

[defaults]
mode = "http"
option = ["http-keep-alive"]
timeout = { connect = "1s", client = "10s", server = "10s" }

[frontend.fe]
bind = ["127.0.0.1:%d"]
acl = ["is_v path_beg /v/"]
use_backend = ["v%d if is_v"]
default_backend = "main"

[backend.main]
server = [ { name = "a", address = "127.0.0.1:%d" }, { name = "b", address = "127.0.0.1:%d" } ]

[backend.v%d]
server = [ { name = "v", address = "127.0.0.1:%d" } ]
`, filepath.Join(dir, "admin.sock"), extra, port, version, web[0], web[1], version, web[2])
}

// loadLoop runs a bounded client loop (keep-alive and new connections) and
// counts answers other than 200 and transport errors.
type loadLoop struct {
	ok, failed atomic.Int64
	stop       atomic.Bool
	wg         sync.WaitGroup
	firstErr   atomic.Value
}

func startLoad(addr string, workers int, until time.Duration) *loadLoop {
	l := &loadLoop{}
	deadline := time.Now().Add(until)
	for w := 0; w < workers; w++ {
		keepAlive := w%2 == 0
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			tr := &http.Transport{DisableKeepAlives: !keepAlive, MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
			for n := 0; n < 100000 && !l.stop.Load() && time.Now().Before(deadline); n++ {
				resp, err := c.Get("http://" + addr + "/")
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 {
						l.ok.Add(1)
						continue
					}
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
				l.failed.Add(1)
				l.firstErr.CompareAndSwap(nil, err.Error())
			}
		}()
	}
	return l
}

func (l *loadLoop) finish() (ok, failed int64, first string) {
	l.stop.Store(true)
	l.wg.Wait()
	s, _ := l.firstErr.Load().(string)
	return l.ok.Load(), l.failed.Load(), s
}

func startLife(t *testing.T) (dir, cfg, addr string, port int, web []int, p *process) {
	t.Helper()
	web = startEcho(t, &echoServer{name: "a"}, &echoServer{name: "b"}, &echoServer{name: "v"})
	dir = t.TempDir()
	port = freePort(t)
	cfg = filepath.Join(dir, "haappliance.toml")
	os.WriteFile(cfg, []byte(lifeConfig(dir, port, web, 1, "")), 0o600)
	p = startProcess(t, applianceBinary(t), "run", "-c", cfg, "--no-sysctl")
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	waitPort(t, addr, 5*time.Second)
	return
}

func waitLog(t *testing.T, p *process, substr string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(p.logs.String(), substr) < n {
		if time.Now().After(deadline) {
			t.Fatalf("log never had %d× %q:\n%s", n, substr, p.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReloadUnderLoadLosesNothing: two SIGHUPs under a bounded client loop
// (keep-alive and new connections) give zero failed requests, and the new
// routing applies.
func TestReloadUnderLoadLosesNothing(t *testing.T) {
	dir, cfg, addr, port, web, p := startLife(t)
	load := startLoad(addr, 8, 20*time.Second)
	time.Sleep(300 * time.Millisecond) // load running before the first reload
	for v := 2; v <= 3; v++ {
		os.WriteFile(cfg, []byte(lifeConfig(dir, port, web, v, "")), 0o600)
		p.cmd.Process.Signal(syscall.SIGHUP)
		waitLog(t, p, "configuration reloaded", v-1)
		time.Sleep(300 * time.Millisecond) // keep loading across the swap
	}
	ok, failed, first := load.finish()
	t.Logf("requests: %d ok, %d failed", ok, failed)
	if failed != 0 || ok < 100 {
		t.Errorf("%d requests failed across two reloads (first: %s); %d ok", failed, first, ok)
	}
	c := dial(t, addr)
	if r := c.roundTrip("GET", get("/v/x")); !strings.Contains(r, "Hello! This is v!") {
		t.Errorf("new routing not applied after reload:\n%s", r)
	}
}

// TestReloadWithInvalidFileKeepsService: a broken file on SIGHUP is refused
// with its FILE:LINE, and the running configuration keeps serving.
func TestReloadWithInvalidFileKeepsService(t *testing.T) {
	_, cfg, addr, _, _, p := startLife(t)
	os.WriteFile(cfg, []byte("[global]\nmaxconn = \"many\"\n"), 0o600)
	p.cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, p, "reload refused, keeping the running configuration: "+cfg+":2:", 1)
	c := dial(t, addr)
	if r := c.roundTrip("GET", get("/")); !strings.HasPrefix(r, "HTTP/1.1 200") {
		t.Errorf("after an invalid reload:\n%s", r)
	}
}

// TestSIGTERMLetsInFlightRequestFinish: a slow request in flight when
// SIGTERM arrives completes with 200, new connections are refused, and the
// process exits 0.
func TestSIGTERMLetsInFlightRequestFinish(t *testing.T) {
	web := startEcho(t, &echoServer{name: "a", delay: 1500 * time.Millisecond}, &echoServer{name: "b", delay: 1500 * time.Millisecond}, &echoServer{name: "v"})
	dir := t.TempDir()
	port := freePort(t)
	cfg := filepath.Join(dir, "haappliance.toml")
	os.WriteFile(cfg, []byte(lifeConfig(dir, port, web, 1, "")), 0o600)
	p := startProcess(t, applianceBinary(t), "run", "-c", cfg, "--no-sysctl")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitPort(t, addr, 5*time.Second)
	c := dial(t, addr)
	c.send(get("/slow"))
	time.Sleep(300 * time.Millisecond) // the request is at the server now
	p.cmd.Process.Signal(syscall.SIGTERM)
	r := c.read("GET")
	if !strings.HasPrefix(r, "HTTP/1.1 200") || !strings.Contains(r, "Hello! This is") {
		t.Errorf("in-flight request across SIGTERM:\n%s", r)
	}
	select {
	case <-p.done:
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exit code %d after SIGTERM", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("process still running 10s after SIGTERM")
	}
}

// TestRunPreparesHostInNetns: in a fresh network namespace, run applies
// the namespaced recommended keys and an override, survives the keys the
// namespace lacks, and holds RLIMIT_NOFILE ≥ 2*maxconn+18.
func TestRunPreparesHostInNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace (CI runs as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2's ip (apt-get install iproute2)")
	}
	ns := fmt.Sprintf("haa-sysctl-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	exec.Command("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up").Run()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "haappliance.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`[global]
maxconn = 4000
control_socket = %q
[sysctl]
apply = true
[sysctl.set]
"net.core.somaxconn" = "12345"
[frontend.fe]
mode = "tcp"
bind = ["127.0.0.1:9999"]
default_backend = "b"
[backend.b]
mode = "tcp"
server = [ { name = "s", address = "127.0.0.1:9998" } ]
`, filepath.Join(dir, "admin.sock"))), 0o600)
	p := startProcess(t, "ip", "netns", "exec", ns, applianceBinary(t), "run", "-c", cfg)
	waitLog(t, p, "started", 1)

	read := func(key string) string {
		out, err := exec.Command("ip", "netns", "exec", ns, "cat", "/proc/sys/"+strings.ReplaceAll(key, ".", "/")).Output()
		if err != nil {
			return "error: " + err.Error()
		}
		return strings.Join(strings.Fields(string(out)), " ")
	}
	for key, want := range map[string]string{
		"net.core.somaxconn":           "12345",
		"net.ipv4.tcp_tw_reuse":        "1",
		"net.ipv4.ip_local_port_range": "1024 65023",
		"net.ipv4.ip_nonlocal_bind":    "1",
		"net.ipv4.tcp_synack_retries":  "3",
	} {
		if got := read(key); got != want {
			t.Errorf("%s in the namespace = %q, want %q", key, got, want)
		}
	}
	if _, err := os.Stat("/proc/sys/net/ipv4/tcp_max_orphans"); err == nil && !strings.Contains(p.logs.String(), "net.ipv4.tcp_max_orphans") {
		t.Errorf("nothing logged about tcp_max_orphans:\n%s", p.logs.String())
	}
	limits, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(limits), "\n") {
		if strings.HasPrefix(l, "Max open files") {
			f := strings.Fields(l)
			soft, _ := strconv.Atoi(f[3])
			if soft < 2*4000+18 {
				t.Errorf("RLIMIT_NOFILE soft %d < 2*maxconn+18 = %d", soft, 2*4000+18)
			}
			return
		}
	}
	t.Error("no 'Max open files' in /proc/PID/limits")
}
