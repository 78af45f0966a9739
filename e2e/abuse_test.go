package e2e

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// Abuse of the proxy (issue 11): every case runs against the real binary
// on loopback and asserts that the process is alive, still serves, that
// its open files return to the baseline, and where relevant that the
// counters saw the abuse.

// abuseSetup is a daemon in front of a recorder, with a stats listener.
type abuseSetup struct {
	d         *daemon
	rec       *recorder
	addr      string // the http frontend
	stats     string
	baseFiles int
}

// abuseConfig is a small HTTP setup; http_request is the slowloris cut,
// server the misbehaving server's bound.
func abuseConfig(maxconn int, front, stats, rec string) string {
	return fmt.Sprintf(`[global]
maxconn = %d
control_socket = "{{DIR}}/admin.sock"

[[global.log]]
address = "stderr"
facility = "local0"
level = "warning"

[defaults]
mode = "http"
option = ["http-keep-alive", "forwardfor"]
timeout = { connect = "1s", client = "5s", server = "1s", http_request = "2s", http_keep_alive = "2s" }

[frontend.http-in]
bind = ["%s"]
default_backend = "rec"

[backend.rec]
server = [ { name = "rec1", address = "%s" } ]

[listen.stats]
bind = ["%s"]
stats = { uri = "/stats", auth = ["admin:admin"] }
`, maxconn, front, rec, stats)
}

func newAbuseSetup(t *testing.T, maxconn int) *abuseSetup {
	t.Helper()
	rec := startRecorder(t)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	stats := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	d := startDaemon(t, abuseConfig(maxconn, addr, stats, rec.addr()), addr, stats)
	s := &abuseSetup{d: d, rec: rec, addr: addr, stats: stats}
	mustServe(t, addr, "/warmup")
	statsCSV(t, stats)
	time.Sleep(100 * time.Millisecond)
	s.baseFiles = openFiles(t, d.pid())
	return s
}

// healthy asserts the end state of every abuse case.
func (s *abuseSetup) healthy(t *testing.T) {
	t.Helper()
	s.d.alive(t)
	mustServe(t, s.addr, "/after")
	// Server connections kept for reuse may remain: a few above baseline.
	waitFiles(t, s.d.pid(), s.baseFiles+4, 10*time.Second)
}

// TestAbuseIdleConnections holds 3000 idle connections (the open-file hard
// limit here is 20000): the proxy keeps serving while they are held, cuts
// them at timeout http_request, and its open files return to baseline.
func TestAbuseIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("abuse tests skipped in -short mode")
	}
	s := newAbuseSetup(t, 4000)
	const n = 3000
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", s.addr, 2*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	mustServe(t, s.addr, "/while-idle")
	if got := openFiles(t, s.d.pid()); got < s.baseFiles+n/2 {
		t.Logf("note: only %d open files while %d idle connections are held", got, n)
	}
	// Every idle connection is closed by the proxy (408 or a plain close)
	// within timeout http_request (2s) plus a margin.
	var wg sync.WaitGroup
	var mu sync.Mutex
	late := 0
	for _, c := range conns {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			c.SetReadDeadline(start.Add(8 * time.Second))
			_, err := io.Copy(io.Discard, c)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				mu.Lock()
				late++
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if late > 0 {
		t.Fatalf("%d of %d idle connections still open 8s after they were made (timeout http_request 2s)", late, n)
	}
	s.healthy(t)
}

// TestAbuseSlowloris drips a header byte every 300ms on 300 connections:
// each is cut at timeout http_request (2s) with a 408, whatever it sends.
func TestAbuseSlowloris(t *testing.T) {
	if testing.Short() {
		t.Skip("abuse tests skipped in -short mode")
	}
	s := newAbuseSetup(t, 4000)
	before := counter(t, statsCSV(t, s.stats), "http-in/FRONTEND", "ereq")
	const n = 300
	var wg sync.WaitGroup
	results := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", s.addr, 2*time.Second)
			if err != nil {
				results <- "dial: " + err.Error()
				return
			}
			defer c.Close()
			t0 := time.Now()
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: t\r\n")
			done := make(chan []byte, 1)
			go func() {
				c.SetReadDeadline(t0.Add(6 * time.Second))
				b, _ := io.ReadAll(c)
				done <- b
			}()
			tick := time.NewTicker(300 * time.Millisecond)
			defer tick.Stop()
			for k := 0; ; k++ {
				select {
				case b := <-done:
					took := time.Since(t0)
					switch {
					case took > 3500*time.Millisecond:
						results <- fmt.Sprintf("cut after %v", took.Round(100*time.Millisecond))
					case !strings.HasPrefix(string(b), "HTTP/1.1 408"):
						results <- fmt.Sprintf("answer %q", firstLine(b))
					default:
						results <- "408"
					}
					return
				case <-tick.C:
					fmt.Fprintf(c, "X-%d: a\r\n", k) // errors ignored: the proxy may have closed
				}
			}
		}()
	}
	wg.Wait()
	close(results)
	got := map[string]int{}
	for r := range results {
		got[r]++
	}
	if diff := cmp.Diff(map[string]int{"408": n}, got); diff != "" {
		t.Errorf("slowloris outcomes (-want +got):\n%s", diff)
	}
	after := counter(t, statsCSV(t, s.stats), "http-in/FRONTEND", "ereq")
	if before >= 0 && after-before < n {
		t.Errorf("frontend ereq grew by %d, want >= %d", after-before, n)
	}
	s.healthy(t)
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\r\n")
	return s
}

// TestAbuseRandomBytes sends random bytes on 200 connections: each gets a
// 400 or a close, promptly; nothing reaches the server.
func TestAbuseRandomBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("abuse tests skipped in -short mode")
	}
	s := newAbuseSetup(t, 4000)
	const n = 200
	var wg sync.WaitGroup
	bad := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", s.addr, 2*time.Second)
			if err != nil {
				bad <- err.Error()
				return
			}
			defer c.Close()
			buf := make([]byte, 64+i*97)
			rand.Read(buf)
			if i%3 == 0 {
				// Random bytes after a plausible start line. The first
				// header byte is a control character, so the head is
				// invalid whatever follows: a random '\n' there would
				// otherwise end a valid head ("GET /" without headers,
				// which haproxy accepts too) about once in 256 runs.
				copy(buf, "GET / HTTP/1.1\r\n\x01")
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			c.Write(buf)
			b, err := io.ReadAll(c)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				bad <- fmt.Sprintf("conn %d: no answer nor close within 5s (got %q)", i, firstLine(b))
				return
			}
			if len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 400") && !strings.HasPrefix(string(b), "HTTP/1.1 408") {
				bad <- fmt.Sprintf("conn %d: answer %q", i, firstLine(b))
			}
		}(i)
	}
	wg.Wait()
	close(bad)
	for b := range bad {
		t.Error(b)
	}
	if got := s.rec.requests("/"); len(got) > 1 { // the warmup
		t.Errorf("the server received %d requests from random bytes: %q", len(got)-1, got)
	}
	s.healthy(t)
}

// TestAbuseMalformed sends oversized and malformed requests: each is
// answered 400 (408 for a head that never ends) and the connection
// closed; none reaches the server.
func TestAbuseMalformed(t *testing.T) {
	if testing.Short() {
		t.Skip("abuse tests skipped in -short mode")
	}
	s := newAbuseSetup(t, 4000)
	many := ""
	for i := 0; i < 120; i++ {
		many += fmt.Sprintf("X-H%d: v\r\n", i)
	}
	cases := []struct{ name, raw string }{
		{"huge uri", "GET /" + strings.Repeat("a", 70<<10) + " HTTP/1.1\r\nHost: t\r\n\r\n"},
		{"huge header", "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("b", 20<<10) + "\r\n\r\n"},
		{"120 headers", "GET / HTTP/1.1\r\nHost: t\r\n" + many + "\r\n"},
		{"no version", "GET /\r\nHost: t\r\n\r\n"},
		{"http/2.0", "GET / HTTP/2.0\r\nHost: t\r\n\r\n"},
		{"bad method", "G(T / HTTP/1.1\r\nHost: t\r\n\r\n"},
		{"space in uri", "GET /a b HTTP/1.1\r\nHost: t\r\n\r\n"},
		{"nul in header", "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\x00b\r\n\r\n"},
		{"bare cr in header", "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n"},
		{"space before colon", "GET / HTTP/1.1\r\nHost: t\r\nX-A : b\r\n\r\n"},
		{"no colon", "GET / HTTP/1.1\r\nHost: t\r\nX-A\r\n\r\n"},
		{"empty name", "GET / HTTP/1.1\r\nHost: t\r\n: b\r\n\r\n"},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
		{"fold first line", "GET / HTTP/1.1\r\n X: y\r\nHost: t\r\n\r\n"},
		{"control char in uri", "GET /\x01 HTTP/1.1\r\nHost: t\r\n\r\n"},
		{"del in name", "GET / HTTP/1.1\r\nHost: t\r\nX\x7f: b\r\n\r\n"},
		{"utf8 in name", "GET / HTTP/1.1\r\nHost: t\r\nX-\xc3\xa9: b\r\n\r\n"},
	}
	before := counter(t, statsCSV(t, s.stats), "http-in/FRONTEND", "ereq")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.DialTimeout("tcp", s.addr, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, tc.raw)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
		})
	}
	after := counter(t, statsCSV(t, s.stats), "http-in/FRONTEND", "ereq")
	if before >= 0 && after-before != len(cases) {
		t.Errorf("frontend ereq grew by %d, want %d", after-before, len(cases))
	}
	if got := s.rec.requests("/"); len(got) != 1 {
		t.Errorf("the server received malformed requests: %q", got)
	}
	s.healthy(t)
}

// TestAbuseMisbehavingServers: a server that resets, lies about its
// length, sends garbage or never answers gives the client a 502/504 or a
// closed connection, never a hang; the next request is served.
func TestAbuseMisbehavingServers(t *testing.T) {
	if testing.Short() {
		t.Skip("abuse tests skipped in -short mode")
	}
	s := newAbuseSetup(t, 4000)
	cases := []struct{ how, want string }{
		{"reset-before", "502"},
		{"close-silent", "502"},
		{"garbage", "502"},
		{"http09", "502"},
		{"bad-cl", "502"},
		{"two-cl", "502"},
		{"cl-te", "200"}, // normalised: chunked wins, Content-Length dropped (RFC 9112 §6.3)
		{"nul-header", "502"},
		{"huge-head", "502"},
		{"hang", "504"},
		{"reset-mid", "200 truncated"},
		{"short-body", "200 truncated"},
		{"bad-chunk", "200 truncated"},
	}
	got := map[string]string{}
	want := map[string]string{}
	for _, tc := range cases {
		want[tc.how] = tc.want
		got[tc.how] = misbehaviour(s.addr, tc.how)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("client's view of misbehaving servers (-want +got):\n%s", diff)
	}
	rows := statsCSV(t, s.stats)
	if n := counter(t, rows, "rec/BACKEND", "eresp"); n >= 0 && n < 9 {
		t.Errorf("backend eresp = %d, want >= 9", n)
	}
	s.healthy(t)
}

// misbehaviour asks for /misbehave/how and describes what the client saw.
func misbehaviour(addr, how string) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "dial: " + err.Error()
	}
	defer c.Close()
	t0 := time.Now()
	c.SetDeadline(t0.Add(6 * time.Second))
	fmt.Fprintf(c, "GET /misbehave/%s HTTP/1.1\r\nHost: t\r\n\r\n", how)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return "no response: " + errClass(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case err == nil:
		return fmt.Sprint(resp.StatusCode)
	case errClass(err) == "timeout":
		return fmt.Sprintf("%d hang", resp.StatusCode)
	default:
		return fmt.Sprintf("%d truncated", resp.StatusCode)
	}
}

// TestAbuseFileLimit starves the daemon of file descriptors (its limit is
// lowered with prlimit(2) after start): accept fails with EMFILE, the
// proxy backs off instead of spinning, and serves again by itself once
// the connections go away.
func TestAbuseFileLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("abuse tests skipped in -short mode")
	}
	s := newAbuseSetup(t, 1000)
	pid := s.d.pid()
	limit := uint64(s.baseFiles + 20)
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: limit, Max: limit}, &old); err != nil {
		t.Skipf("prlimit on the daemon: %v", err)
	}
	// Hold more connections than descriptors are left.
	var conns []net.Conn
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
	defer closeAll()
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", s.addr, 2*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	time.Sleep(500 * time.Millisecond)
	if n := openFiles(t, pid); uint64(n) < limit-2 {
		t.Logf("note: %d open files of %d: the limit was not reached", n, limit)
	}
	// CPU over 2 s while starved: backing off costs next to nothing.
	c0 := cpuTime(t, pid)
	time.Sleep(2 * time.Second)
	if used := cpuTime(t, pid) - c0; used > 300*time.Millisecond {
		t.Errorf("starved daemon used %v of CPU in 2s: it spins instead of backing off", used)
	}
	s.d.alive(t)
	if !strings.Contains(s.d.logs.String(), "too many open files") {
		t.Errorf("no accept failure was logged while starved")
	}
	closeAll()
	// Recovers by itself: within its 1 s maximum back-off plus the client
	// timeout of the held connections.
	deadline := time.Now().Add(15 * time.Second)
	for getStatus(s.addr, "/recovered") != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("daemon does not serve 15s after the connections closed")
		}
		time.Sleep(100 * time.Millisecond)
	}
	unix.Prlimit(pid, unix.RLIMIT_NOFILE, &old, nil)
	s.healthy(t)
}
