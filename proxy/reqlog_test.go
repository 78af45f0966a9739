package proxy

import (
	"io"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"haappliance/proxy/proxytest"
)

// lineSink collects the messages logged at info level.
type lineSink struct {
	mu    sync.Mutex
	lines []string
}

func (s *lineSink) Levels() []logrus.Level { return []logrus.Level{logrus.InfoLevel} }
func (s *lineSink) Fire(e *logrus.Entry) error {
	s.mu.Lock()
	s.lines = append(s.lines, e.Message)
	s.mu.Unlock()
	return nil
}

// wait returns the first n lines, waiting up to 2s for them (the line is
// logged after the response is written).
func (s *lineSink) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		s.mu.Lock()
		got := append([]string(nil), s.lines...)
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d log lines, want %d: %q", len(got), n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func sinkLogger() (*logrus.Entry, *lineSink) {
	l := logrus.New()
	l.Out = io.Discard
	s := &lineSink{}
	l.AddHook(s)
	return logrus.NewEntry(l), s
}

const httplogConfig = `
[defaults]
mode = "http"
log = "global"
timeout = { connect = "2s", client = "5s", server = "5s", http_request = "300ms" }
[frontend.fe]
bind = ["127.0.0.1:0"]
option = [ {{opts}} ]
acl = ["is_nobe path_beg /nobe"]
use_backend = ["empty if is_nobe"]
default_backend = "be"
[backend.be]
cookie = { name = "SRV", mode = "insert", indirect = true }
server = [ { name = "s1", address = "{{s1}}", cookie = "c1" } ]
[backend.empty]
server = [ { name = "gone", address = "{{s1}}", disabled = true } ]
`

// The layout of HAProxy 2.6's httplog; dates, ports and timers vary.
const (
	reClient = `^127\.0\.0\.1:\d+ \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] `
	reTimers = `(-1|\d+)/(-1|\d+)/(-1|\d+)/(-1|\d+)/\d+`
)

func TestHTTPLogLines(t *testing.T) {
	s1 := proxytest.NewBackend(t, "s1")
	log, sink := sinkLogger()
	cfg := strings.ReplaceAll(httplogConfig, "{{opts}}", `"httplog"`)
	_, addr := startProxy(t, cfg, "fe", map[string]string{"s1": s1.Addr()}, Options{Log: log})

	c := proxytest.Dial(t, addr)
	c.Send(t, "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n")
	_, resp, _ := c.Response(t, "GET")
	c.Send(t, "GET /b HTTP/1.1\r\nHost: h\r\nCookie: SRV=c1\r\n\r\n")
	c.Response(t, "GET")
	c.Send(t, "GET /nobe HTTP/1.1\r\nHost: h\r\n\r\n")
	c.Response(t, "GET")
	c.Conn.Close()
	c = proxytest.Dial(t, addr)
	c.Send(t, "GARBAGE\r\n\r\n")
	c.Response(t, "GET")
	c.Conn.Close()
	c = proxytest.Dial(t, addr)
	c.Send(t, "GET / HTTP/1.1\r\n") // never finished: 408 after http_request
	c.Response(t, "GET")
	c.Conn.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	want := []string{
		reClient + `fe be/s1 ` + reTimers + ` 200 \d+ - - --NI \d+/\d+/0/0/0 0/0 "GET /a\?x=1 HTTP/1\.1"$`,
		reClient + `fe be/s1 ` + reTimers + ` 200 \d+ - - --VN \d+/\d+/0/0/0 0/0 "GET /b HTTP/1\.1"$`,
		reClient + `fe empty/<NOSRV> \d+/-1/-1/-1/\d+ 503 \d+ - - SC-- \d+/\d+/0/0/0 0/0 "GET /nobe HTTP/1\.1"$`,
		reClient + `fe fe/<NOSRV> -1/-1/-1/-1/\d+ 400 \d+ - - PR-- \d+/\d+/0/0/0 0/0 "<BADREQ>"$`,
		reClient + `fe fe/<NOSRV> -1/-1/-1/-1/\d+ 408 \d+ - - cR-- \d+/\d+/0/0/0 0/0 "<BADREQ>"$`,
	}
	// Each line is written when its request ends; an error answer is logged
	// only after the client closed (linger), so lines of different
	// connections may come in either order: match them as a set.
	got := sink.wait(t, len(want))
	used := make([]bool, len(got))
	for _, re := range want {
		found := false
		for j, l := range got {
			if !used[j] && regexp.MustCompile(re).MatchString(l) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("no line matches %s\nlines:\n%s", re, strings.Join(got, "\n"))
		}
	}
}

func TestHTTPLogDontLogNullAndCLF(t *testing.T) {
	s1 := proxytest.NewBackend(t, "s1")
	log, sink := sinkLogger()
	cfg := strings.ReplaceAll(httplogConfig, "{{opts}}", `"httplog clf", "dontlognull"`)
	_, addr := startProxy(t, cfg, "fe", map[string]string{"s1": s1.Addr()}, Options{Log: log})
	c := proxytest.Dial(t, addr) // sends nothing: 408 not logged under dontlognull
	c.Closed(2 * time.Second)
	c.Conn.Close()
	c = proxytest.Dial(t, addr)
	c.Send(t, "GET /clf HTTP/1.0\r\n\r\n")
	c.Response(t, "GET")
	got := sink.wait(t, 1)
	re := `^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /clf HTTP/1\.0" 200 \d+ "" "" \d+ \d{3} "fe" "be" "s1" \d+ \d+ \d+ \d+ \d+ --NI \d+ \d+ 0 0 0 0 0 "" ""`
	if len(got) != 1 || !regexp.MustCompile(re).MatchString(got[0]) {
		t.Errorf("lines %q\nwant one matching %s", got, re)
	}
}

// Without a log target, option httplog logs nothing, as HAProxy.
func TestHTTPLogNeedsLogTarget(t *testing.T) {
	m := &FrontendModel{Mode: "http", Options: OptionSet{{Name: "httplog"}}}
	if mode, _ := frontendLogMode(m); mode != logNone {
		t.Errorf("mode %d without log", mode)
	}
	m.Log = "global"
	if mode, _ := frontendLogMode(m); mode != logHTTP {
		t.Errorf("mode %d with log global", mode)
	}
}

// BenchmarkHTTPLogLine formats one httplog line from a record, as
// logRequest does before handing it to the logger (which allocates the
// string it keeps).
func BenchmarkHTTPLogLine(b *testing.B) {
	l := RequestLog{Accept: time.Now(), Frontend: "fe", Backend: "be", Server: "s1", Tq: time.Millisecond,
		Tw: 0, Tc: time.Millisecond, Tr: 3 * time.Millisecond, Ta: 5 * time.Millisecond, Status: 200,
		BytesRead: 1234, Term: [2]byte{'-', '-'}, Cookie: [2]byte{'N', 'I'}, Method: "GET", URI: "/a?x=1", Minor: 1}
	src := netip.MustParseAddrPort("127.0.0.1:40000")
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		h := l.httpLog(src)
		buf = h.AppendTo(buf[:0])
	}
}
