package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"haappliance/internal/lab"
	"haappliance/internal/rsyslogtest"
)

// Issue 6's acceptance: two haappliance nodes whose proxies' health drives
// VRRP, web servers in their own namespace, a client namespace served
// through the VIP.

const vipURL = "http://198.18.0.100:9001/"

// pairConf is one node of the pair: frontend http-in on every address,
// backend "web" with the two lab servers (checks every 300 ms, fall 2, so
// a blackhole is noticed in about a second), VRRP instance VI_1 tracking
// the frontend (weight 2) and the backend (min_up 1, weight -20).
func pairConf(prio int, state, advert, extra string) string {
	return fmt.Sprintf(`%s
[sysctl]
apply = false

[defaults]
mode = "http"
option = ["httplog"]
timeout = { connect = "1000ms", client = "5000ms", server = "5000ms", http_request = "5000ms", check = "500ms" }
httpchk = { method = "GET", uri = "/healthCheck.html" }

[frontend.http-in]
bind = ["*:9001"]
default_backend = "web"

[backend.web]
balance = "roundrobin"
server = [
  { name = "w1", address = "198.18.1.21:8080", check = true, inter = "300ms", rise = 2, fall = 2 },
  { name = "w2", address = "198.18.1.22:8080", check = true, inter = "300ms", rise = 2, fall = 2 },
]

[[vrrp.instance]]
name = "VI_1"
interface = "eth0"
state = %q
virtual_router_id = 51
priority = %d
advert_interval = %q
version = 3
virtual_ipaddress = ["198.18.0.100/24"]
track = [
  { frontend = "http-in", weight = 2 },
  { backend = "web", min_up = 1, weight = -20 },
]
`, extra, state, prio, advert)
}

func instanceIs(state string, prio int, held bool, master string) func(*labStatus) bool {
	return func(s *labStatus) bool {
		if len(s.Instances) != 1 {
			return false
		}
		in := s.Instances[0]
		return in.State == state && in.EffectivePriority == prio && len(in.VIPs) == 1 &&
			in.VIPs[0].Held == held && (master == "" || in.Master == master)
	}
}

// startRsyslog runs Debian's rsyslogd in h, receiving UDP on addr:514 and
// storing local0 lines raw (with their <PRI>) in the returned file.
func startRsyslog(t *testing.T, h *lab.Host, addr string) string {
	t.Helper()
	args, out := rsyslogtest.Config(t, addr, 514, rsyslogtest.Raw)
	p, err := h.Start(rsyslogtest.Binary(t), args...)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ss, _ := h.Exec(context.Background(), "ss", "-Hunl")
		if strings.Contains(ss, addr+":514") {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd does not listen on %s:514: %s", addr, p.Output())
		}
		time.Sleep(50 * time.Millisecond) // waiting for another process; bounded
	}
}

func TestLabPairTracksAndAlerts(t *testing.T) {
	l := newLab(t, labHosts)
	ha1, ha2, client := l.Host("ha1"), l.Host("ha2"), l.Host("client")
	cw := newNSWorker(t, client)
	syslogFile := startRsyslog(t, client, "198.18.0.50")
	sink, err := cw.listenUDP("198.18.0.50:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	var sinkLines atomic.Value
	sinkLines.Store("")
	go func() {
		buf := make([]byte, 4096)
		for {
			n, _, err := sink.ReadFrom(buf)
			if err != nil {
				return
			}
			sinkLines.Store(sinkLines.Load().(string) + string(buf[:n]) + "\n")
		}
	}()
	dir := t.TempDir()
	notifyOut := filepath.Join(dir, "notify.out")
	script := filepath.Join(dir, "notify.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" >> "+notifyOut+"\n"), 0o755)
	logs := fmt.Sprintf(`[[global.log]]
address = "udp://198.18.0.50:514"
facility = "local0"
level = "info"

[[global.log]]
address = "udp://%s"
facility = "local0"
level = "warning"
`, sink.LocalAddr())
	w1, w2 := watchVIP(t, ha1), watchVIP(t, ha2)
	n2 := startNode(t, ha2, pairConf(100, "BACKUP", "1s", ""))
	n1 := startNode(t, ha1, strings.Replace(pairConf(101, "MASTER", "1s", logs), `version = 3`, "version = 3\nnotify = \""+script+"\"", 1))

	waitVIP(t, w1, true, 10*time.Second)
	n1.waitStatus(t, "MASTER 103 holding the VIP", instanceIs("MASTER", 103, true, "198.18.0.11"), 5*time.Second)
	st := n2.waitStatus(t, "BACKUP 102 seeing master 198.18.0.11", instanceIs("BACKUP", 102, false, "198.18.0.11"), 5*time.Second)
	for _, tr := range st.Instances[0].Tracks {
		if !tr.OK {
			t.Errorf("ha2 track %s %s not ok", tr.Kind, tr.Target)
		}
	}
	hc := cw.httpClient(3 * time.Second)
	if body, err := get200(hc, vipURL); err != nil || !strings.Contains(body, "Hello") {
		t.Fatalf("client through the VIP: %q, %v", body, err)
	}

	// disable frontend on the master: its track fails (103 -> 101), ha2
	// (102) preempts, and the client is served by ha2.
	w2.Drain()
	n1.admin(t, "disable", "frontend", "http-in")
	waitVIP(t, w2, true, 8*time.Second)
	n1.waitStatus(t, "BACKUP 101", instanceIs("BACKUP", 101, false, "198.18.0.12"), 5*time.Second)
	if body, err := get200(hc, vipURL); err != nil || !strings.Contains(body, "Hello") {
		t.Fatalf("client after the move: %q, %v", body, err)
	}

	// enable: 103 again, ha1 preempts back.
	w1.Drain()
	n1.admin(t, "enable", "frontend", "http-in")
	waitVIP(t, w1, true, 8*time.Second)
	n1.waitStatus(t, "MASTER 103 again", instanceIs("MASTER", 103, true, ""), 5*time.Second)
	n2.waitStatus(t, "ha2 BACKUP", instanceIs("BACKUP", 102, false, "198.18.0.11"), 5*time.Second)

	// Blackhole the master's route to the servers: checks fail, the
	// backend track fails (103 -> 83), the VIP moves.
	w2.Drain()
	mustExec(t, ha1, "ip", "route", "add", "blackhole", "198.18.1.0/24")
	waitVIP(t, w2, true, 10*time.Second)
	n1.waitStatus(t, "BACKUP 83", instanceIs("BACKUP", 83, false, "198.18.0.12"), 5*time.Second)
	if body, err := get200(hc, vipURL); err != nil || !strings.Contains(body, "Hello") {
		t.Fatalf("client after the blackhole move: %q, %v", body, err)
	}
	show := n1.admin(t, "show", "vrrp")
	if !strings.Contains(show, "track backend web weight -20: FAILED") {
		t.Errorf("show vrrp on ha1:\n%s", show)
	}

	// Alerts: rsyslogd and the UDP sink both got the transition at
	// local0.warning (<132>); the notify script was called as keepalived
	// calls it.
	want := "VRRP_Instance(VI_1) Entering MASTER STATE"
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(syslogFile)
		got, sinkGot := hasPRILine(string(b), want), hasPRILine(sinkLines.Load().(string), want)
		if got && sinkGot {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("syslog lines with <132> and %q: rsyslogd %v, UDP sink %v\nrsyslog file:\n%s\nsink:\n%s", want, got, sinkGot, b, sinkLines.Load())
		}
		time.Sleep(50 * time.Millisecond) // waiting for another process; bounded
	}
	nb, _ := os.ReadFile(notifyOut)
	for _, line := range []string{"INSTANCE VI_1 MASTER 103", "INSTANCE VI_1 BACKUP 101", "INSTANCE VI_1 BACKUP 83"} {
		if !strings.Contains(string(nb), line) {
			t.Errorf("notify script output lacks %q:\n%s", line, nb)
		}
	}
}

func hasPRILine(text, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "<132>") && strings.Contains(l, "haappliance") && strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// TestLabPairGracefulStop: a client loop through the VIP, one new
// connection per request, or keep-alive connections, while the master
// stops gracefully (SIGTERM), sees zero failed requests.
func TestLabPairGracefulStop(t *testing.T) {
	for _, keepAlive := range []bool{false, true} {
		name := "new connection per request"
		if keepAlive {
			name = "keep-alive"
		}
		t.Run(name, func(t *testing.T) { labPairGracefulStop(t, keepAlive) })
	}
}

func labPairGracefulStop(t *testing.T, keepAlive bool) {
	l := newLab(t, labHosts)
	ha1, ha2, client := l.Host("ha1"), l.Host("ha2"), l.Host("client")
	cw := newNSWorker(t, client)
	if d := os.Getenv("LAB_PCAP_DIR"); d != "" { // a capture to read when this test fails
		tp, err := client.Start("tcpdump", "-i", "any", "-U", "-n", "-w", filepath.Join(d, l.Suffix+".pcap"), "tcp port 9001 or arp or proto 112")
		if err != nil {
			t.Fatal(err)
		}
		defer tp.Stop(time.Second)
		time.Sleep(500 * time.Millisecond) // tcpdump opens its socket; a debugging aid, not a timing assertion
	}
	w1, w2 := watchVIP(t, ha1), watchVIP(t, ha2)
	startNode(t, ha2, pairConf(100, "BACKUP", "100ms", ""))
	n1 := startNode(t, ha1, pairConf(101, "MASTER", "100ms", ""))
	waitVIP(t, w1, true, 10*time.Second)
	n1.waitStatus(t, "MASTER", instanceIs("MASTER", 103, true, ""), 5*time.Second)
	hc := cw.httpClient(5 * time.Second)
	if keepAlive {
		// As a browser: connections are reused, and a request cut on a
		// reused idle connection the server closed is sent again (Go's
		// transport does so for replayable requests).
		hc.Transport.(*http.Transport).DisableKeepAlives = false
	}

	var ok, failed atomic.Int64
	var (
		errMu    sync.Mutex
		firstErr error
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20000; i++ { // bounded in count, and by stop
			select {
			case <-stop:
				return
			default:
			}
			if _, err := get200(hc, vipURL); err != nil {
				if failed.Add(1) == 1 {
					errMu.Lock()
					firstErr = err
					errMu.Unlock()
				}
			} else {
				ok.Add(1)
			}
		}
	}()
	// Some traffic through ha1 first.
	for deadline := time.Now().Add(5 * time.Second); ok.Load() < 50; {
		if time.Now().After(deadline) {
			t.Fatalf("client loop too slow: %d ok, %d failed", ok.Load(), failed.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	before := ok.Load()
	w2.Drain()
	n1.p.Signal(syscall.SIGTERM)
	t0 := time.Now()
	at := waitVIP(t, w2, true, 2*time.Second)
	t.Logf("graceful stop: ha2 has the VIP %v after SIGTERM", at.Sub(t0))
	if err := n1.p.Wait(15 * time.Second); err != nil {
		t.Errorf("ha1 exit: %v", err)
	}
	// Keep the loop running through ha2 for a while.
	for deadline := time.Now().Add(5 * time.Second); ok.Load() < before+200; {
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	<-done
	t.Logf("client loop: %d ok, %d failed", ok.Load(), failed.Load())
	// SPEC §12's bar: zero. The master drops new SYNs (clients retry them
	// a second later and reach ha2), finishes its in-flight requests and
	// empties its accept queue, then hands over: no connection to ha1 is
	// open when the client's segments start going to ha2.
	if n := failed.Load(); n > 0 {
		errMu.Lock()
		defer errMu.Unlock()
		t.Errorf("%d requests failed during the graceful stop (SPEC bar: 0); first: %v", n, firstErr)
	}
	if has, _ := ha1.HasAddr(context.Background(), labVIP); has {
		t.Error("ha1 left the VIP behind")
	}
}
