package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// flipServer is a backend whose health page can be switched to 404.
type flipServer struct {
	name string
	sick atomic.Bool
}

func (f *flipServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthCheck.html" {
		if f.sick.Load() {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		io.WriteString(w, "OK\n")
		return
	}
	io.WriteString(w, f.name+"\n")
}

// logWatch finds lines in a process's output and when they first appeared.
type logWatch struct {
	p *process
}

// waitLine waits for the (skip+1)th line matching re and returns its first
// submatch (the message without any log prefix) and when it was seen, or
// ok false after d. It may run in a goroutine: it reports nothing itself.
func (w logWatch) waitLine(re *regexp.Regexp, skip int, d time.Duration) (msg string, at time.Time, ok bool) {
	deadline := time.Now().Add(d)
	for {
		ms := re.FindAllStringSubmatch(w.p.logs.String(), -1)
		if len(ms) > skip {
			return ms[skip][1], time.Now(), true
		}
		if time.Now().After(deadline) {
			return "", time.Time{}, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logLine matches a whole message line as haproxy's raw stderr log writes
// it ("MSG") or as haappliance's stderr writes it ("TIME SEVERITY: MSG");
// haproxy's own "[WARNING] (pid) : MSG" echoes do not match.
func logLine(msg string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^(?:\S+ [a-z]+: )?(` + msg + `)$`)
}

// servedBy sends n requests on fresh connections and returns the server
// names, or the status code when not 200.
func servedBy(t *testing.T, addr string, n int, cookie string) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		c := dial(t, addr)
		extra := ""
		if cookie != "" {
			extra = "Cookie: " + cookie + "\r\n"
		}
		r := c.roundTrip("GET", get("/", extra))
		c.c.Close()
		out = append(out, strings.TrimSpace(r[strings.LastIndex(strings.TrimSpace(r), "\n")+1:]))
	}
	return out
}

// normalizeCheckLine masks what differs between two runs of a check line.
var durRe = regexp.MustCompile(`check duration: \d+ms`)

func normalizeCheckLine(s string) string {
	return durRe.ReplaceAllString(s, "check duration: Nms")
}

// TestHealthChecksAgainstHaproxy runs haproxy and haappliance on the same
// two servers (inter 500ms, fall 3, rise 2), flips srv1's check page to 404
// and back, then both pages, and compares timing, balancing, cookie
// redispatch, 503/200 and the three log lines.
func TestHealthChecksAgainstHaproxy(t *testing.T) {
	bin := needHaproxy(t)
	if testing.Short() {
		t.Skip("takes ~15 s; skipped with -short")
	}
	srvs := []*flipServer{{name: "srv1"}, {name: "srv2"}}
	var ports []int
	for _, s := range srvs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
		hs := &http.Server{Handler: s}
		go hs.Serve(ln)
		t.Cleanup(func() { hs.Close() })
	}
	dir := t.TempDir()
	hapEnv := seedEnv{Port: freePort(t), Web: ports, Dir: dir}
	ourEnv := seedEnv{Port: freePort(t), Web: ports, Dir: dir}
	hcfg := filepath.Join(dir, "h.cfg")
	os.WriteFile(hcfg, render(t, "health.cfg.tmpl", hapEnv), 0o600)
	ocfg := filepath.Join(dir, "o.toml")
	os.WriteFile(ocfg, render(t, "health.toml.tmpl", ourEnv), 0o600)
	hap := startProcess(t, bin, "-db", "-f", hcfg)
	ours := startProcess(t, applianceBinary(t), "run", "-c", ocfg, "--no-sysctl")
	hAddr, oAddr := fmt.Sprintf("127.0.0.1:%d", hapEnv.Port), fmt.Sprintf("127.0.0.1:%d", ourEnv.Port)
	waitPort(t, hAddr, 5*time.Second)
	waitPort(t, oAddr, 5*time.Second)
	// Servers start UP but fall at the first failure until a check passed:
	// wait until both proxies have passed a check of each server.
	waitChecked(t, "haproxy", filepath.Join(dir, "haproxy.sock"))
	waitChecked(t, "haappliance", filepath.Join(dir, "admin.sock"))

	type side struct {
		name string
		w    logWatch
		addr string
	}
	sides := []side{{"haproxy", logWatch{hap}, hAddr}, {"haappliance", logWatch{ours}, oAddr}}
	downRe := logLine(`Server b/srv1 is DOWN, reason: .*`)
	upRe := logLine(`Server b/srv1 is UP, reason: .*`)
	emptyRe := logLine(`backend '?b'? has no server available!`)

	// flip waits on both sides for re and returns each line and delay.
	flip := func(re *regexp.Regexp, skip int, change func()) (lines [2]string, delay [2]time.Duration) {
		t0 := time.Now()
		change()
		var wg sync.WaitGroup
		for i, s := range sides {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, at, ok := s.w.waitLine(re, skip, 10*time.Second)
				if !ok {
					t.Errorf("%s: no line matching %q within 10s", s.name, re)
					return
				}
				lines[i], delay[i] = l, at.Sub(t0)
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		return
	}

	lines, delay := flip(downRe, 0, func() { srvs[0].sick.Store(true) })
	t.Logf("srv1 DOWN after: haproxy %v, haappliance %v", delay[0], delay[1])
	if delay[1] > delay[0]+500*time.Millisecond {
		t.Errorf("haappliance took srv1 out %v after haproxy (bar: +0.5s)", delay[1]-delay[0])
	}
	if normalizeCheckLine(lines[0]) != normalizeCheckLine(lines[1]) {
		t.Errorf("DOWN lines differ:\nhaproxy:     %s\nhaappliance: %s", lines[0], lines[1])
	}
	for _, s := range sides {
		if got := servedBy(t, s.addr, 4, ""); strings.Join(got, ",") != "srv2,srv2,srv2,srv2" {
			t.Errorf("%s: with srv1 DOWN, requests went to %v", s.name, got)
		}
		// A cookie naming the DOWN server is redispatched with a new cookie.
		c := dial(t, s.addr)
		r := c.roundTrip("GET", get("/", "Cookie: SRV=srv1\r\n"))
		if !strings.Contains(r, "Set-Cookie: SRV=srv2; path=/") || !strings.HasSuffix(strings.TrimSpace(r), "srv2") {
			t.Errorf("%s: cookie for the DOWN server answered:\n%s", s.name, r)
		}
	}

	lines, delay = flip(upRe, 0, func() { srvs[0].sick.Store(false) })
	t.Logf("srv1 UP after: haproxy %v, haappliance %v", delay[0], delay[1])
	if delay[1] > delay[0]+500*time.Millisecond {
		t.Errorf("haappliance brought srv1 back %v after haproxy (bar: +0.5s)", delay[1]-delay[0])
	}
	if normalizeCheckLine(lines[0]) != normalizeCheckLine(lines[1]) {
		t.Errorf("UP lines differ:\nhaproxy:     %s\nhaappliance: %s", lines[0], lines[1])
	}
	for _, s := range sides {
		if got := servedBy(t, s.addr, 4, ""); !strings.Contains(strings.Join(got, ","), "srv1") {
			t.Errorf("%s: srv1 back UP but requests went to %v", s.name, got)
		}
	}

	// Every server DOWN: 503 and the alert line; then recovery: 200.
	flip(emptyRe, 0, func() { srvs[0].sick.Store(true); srvs[1].sick.Store(true) })
	for _, s := range sides {
		if got := servedBy(t, s.addr, 1, ""); got[0] != "</body></html>" {
			t.Errorf("%s: with no server UP the answer ended %q", s.name, got)
		}
		c := dial(t, s.addr)
		if r := c.roundTrip("GET", get("/")); !strings.HasPrefix(r, "HTTP/1.1 503") {
			t.Errorf("%s: with no server UP: %s", s.name, r)
		}
	}
	flip(upRe, 1, func() { srvs[0].sick.Store(false); srvs[1].sick.Store(false) })
	for _, s := range sides {
		c := dial(t, s.addr)
		if r := c.roundTrip("GET", get("/")); !strings.HasPrefix(r, "HTTP/1.1 200") {
			t.Errorf("%s: after recovery: %s", s.name, r)
		}
	}
}

// waitChecked waits until `show stat` on a runtime-API socket reports L7OK
// as the last check of srv1 and srv2.
func waitChecked(t *testing.T, name, sock string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok := 0
		if c, err := net.Dial("unix", sock); err == nil {
			io.WriteString(c, "show stat\n")
			b, _ := io.ReadAll(c)
			c.Close()
			for _, l := range strings.Split(string(b), "\n") {
				if (strings.HasPrefix(l, "b,srv1,") || strings.HasPrefix(l, "b,srv2,")) && strings.Contains(l, ",L7OK,") {
					ok++
				}
			}
		}
		if ok == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: servers not checked L7OK within 10s", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
