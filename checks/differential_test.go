package checks

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// flipServer serves /healthCheck.html with a status that the test flips.
type flipServer struct {
	addr   string
	status atomic.Int32
}

func newFlipServer(t *testing.T) *flipServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &flipServer{addr: ln.Addr().String()}
	f.status.Store(200)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(f.status.Load()))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return f
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// timedLines collects lines with their arrival time.
type timedLines struct {
	mu    sync.Mutex
	lines []timedLine
}

type timedLine struct {
	at   time.Time
	text string
}

func (l *timedLines) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, timedLine{time.Now(), s})
	l.mu.Unlock()
}

// waitFor returns the first line after since that matches, or fails.
func (l *timedLines) waitFor(t *testing.T, since time.Time, match func(string) bool, what string) timedLine {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for _, x := range l.lines {
			if !x.at.Before(since) && match(x.text) {
				l.mu.Unlock()
				return x
			}
		}
		l.mu.Unlock()
		time.Sleep(20 * ms) // polling real processes, not timer logic
	}
	t.Fatalf("timed out waiting for %s", what)
	return timedLine{}
}

var durationRE = regexp.MustCompile(`check duration: \d+ms`)

func normalize(s string) string { return durationRE.ReplaceAllString(s, "check duration: Nms") }

// TestDifferentialHaproxy runs HAProxy and Monitors side by side on the same
// servers (inter 500ms, fall 3, rise 2), flips check pages between 200 and
// 404, and requires every transition no later than HAProxy's (+0.5 s) with
// the same log line.
func TestDifferentialHaproxy(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test against haproxy skipped in -short mode")
	}
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (apt-get install haproxy); CI installs it")
	}
	srvs := []*flipServer{newFlipServer(t), newFlipServer(t)}
	names := []string{"srv1", "srv2"}
	cfg := fmt.Sprintf(`global
  log stderr format raw local0
defaults
  mode http
  log global
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen ms1
  bind 127.0.0.1:%d
  option httpchk GET /healthCheck.html
  server srv1 %s check inter 500 rise 2 fall 3
  server srv2 %s check inter 500 rise 2 fall 3
`, freePort(t), srvs[0].addr, srvs[1].addr)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	hap := &timedLines{}
	cmd := exec.Command(bin, "-f", cfgPath, "-db")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			hap.add(sc.Text())
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // our own child, by PID
		<-readDone
		cmd.Wait()
	})

	// Our side: two monitors and a tiny stand-in for the proxy that keeps
	// the count of servers UP and renders the lines.
	ours := &timedLines{}
	var mu sync.Mutex
	up := []bool{true, true}
	var wg sync.WaitGroup
	p := Params{Inter: dur(500 * ms), Rise: 2, Fall: 3}
	for i, s := range srvs {
		notify := func(e Event) {
			mu.Lock()
			up[i] = e.State == StateUp
			n := 0
			for _, u := range up {
				if u {
					n++
				}
			}
			mu.Unlock()
			tr := ServerTransition{Backend: "ms1", Server: names[i], State: e.State, Result: e.Result, ActiveLeft: n}
			ours.add(tr.String())
			if n == 0 {
				ours.add(BackendEmpty{Backend: "ms1", Listen: true}.String())
			}
		}
		m, err := New(Spec{Addr: s.addr, HTTP: &HTTPCheck{Method: "GET", URI: "/healthCheck.html"}}, p, notify,
			WithStartDelay(Spread(i, len(srvs), p.InterDur())))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { m.Run(ctx) })
	}
	defer wg.Wait()
	defer cancel()

	time.Sleep(1500 * ms) // both sides settle fully UP (real processes)

	rawLine := func(prefix string) func(string) bool {
		return func(s string) bool { return strings.HasPrefix(s, prefix) }
	}
	// alert is HAProxy's stderr form of the empty-backend line, after "] (pid) : ".
	alert := func(s string) bool {
		return strings.HasPrefix(s, "[ALERT]") && strings.HasSuffix(s, "has no server available!")
	}
	step := func(what string, flip func(), expect []string, wantEmpty bool) {
		t.Helper()
		since := time.Now()
		flip()
		for _, prefix := range expect {
			h := hap.waitFor(t, since, rawLine(prefix), "haproxy: "+prefix)
			o := ours.waitFor(t, since, rawLine(prefix), "ours: "+prefix)
			if late := o.at.Sub(h.at); late > 500*ms {
				t.Errorf("%s: %q came %v after haproxy's", what, prefix, late)
			}
			if d := cmp.Diff(normalize(h.text), normalize(o.text)); d != "" {
				t.Errorf("%s: line differs from haproxy's (-haproxy +ours):\n%s", what, d)
			}
			t.Logf("%s: %s: haproxy after %v, ours after %v", what, prefix, h.at.Sub(since).Round(ms), o.at.Sub(since).Round(ms))
		}
		if wantEmpty {
			h := hap.waitFor(t, since, alert, "haproxy: no server available")
			o := ours.waitFor(t, since, rawLine("proxy 'ms1'"), "ours: no server available")
			text := h.text[strings.Index(h.text, " : ")+3:]
			if d := cmp.Diff(text, o.text); d != "" {
				t.Errorf("%s: alert differs (-haproxy +ours):\n%s", what, d)
			}
		}
	}
	step("404 on srv1", func() { srvs[0].status.Store(404) }, []string{"Server ms1/srv1 is DOWN"}, false)
	step("srv1 restored", func() { srvs[0].status.Store(200) }, []string{"Server ms1/srv1 is UP"}, false)
	// One server at a time, so both sides count the servers left alike.
	step("404 on srv1 again", func() { srvs[0].status.Store(404) }, []string{"Server ms1/srv1 is DOWN"}, false)
	step("404 on srv2: none left", func() { srvs[1].status.Store(404) }, []string{"Server ms1/srv2 is DOWN"}, true)
	step("srv2 restored", func() { srvs[1].status.Store(200) }, []string{"Server ms1/srv2 is UP"}, false)
	step("srv1 restored again", func() { srvs[0].status.Store(200) }, []string{"Server ms1/srv1 is UP"}, false)
}
