package logfmt

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// haproxyPath is Debian's haproxy; the differential tests skip without it.
const haproxyPath = "/usr/sbin/haproxy"

// freePort returns a loopback port that was free a moment ago (haproxy
// refuses port 0 in bind lines).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// haproxyRun starts haproxy with cfg, logging raw lines to stderr, and
// returns a channel of its log lines. The process is killed (by PID) at the
// end of the test.
func haproxyRun(t *testing.T, cfg string, ports ...int) <-chan string {
	t.Helper()
	if _, err := os.Stat(haproxyPath); err != nil {
		t.Skipf("%s not installed (apt-get install haproxy): the layout check against the real haproxy is skipped", haproxyPath)
	}
	file := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(haproxyPath, "-db", "-f", file)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		<-done
	})
	deadline := time.Now().Add(5 * time.Second)
	for _, p := range ports {
		for {
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p), 200*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("haproxy did not listen on %d: %v", p, err)
			}
			time.Sleep(20 * time.Millisecond) // polling a child process, not timer logic
		}
	}
	return lines
}

// exchange sends raw bytes to addr, reads until the server closes and
// returns the client's address and the number of bytes received.
func exchange(t *testing.T, addr string, req string) (netip.AddrPort, int64) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	if tc, ok := c.(*net.TCPConn); ok && !strings.HasPrefix(req, "GET") && !strings.HasPrefix(req, "BAD") {
		_ = tc.CloseWrite()
	}
	n, _ := io.Copy(io.Discard, c)
	return c.LocalAddr().(*net.TCPAddr).AddrPort(), n
}

// nextLog returns the next log line that contains key.
func nextLog(t *testing.T, lines <-chan string, key string) string {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case l := <-lines:
			if strings.Contains(l, key) {
				return l
			}
		case <-timeout:
			t.Fatalf("no log line from haproxy with %q", key)
			return ""
		}
	}
}

var (
	dateRE  = regexp.MustCompile(`^\d\d/[A-Z][a-z][a-z]/\d{4}:\d\d:\d\d:\d\d(\.\d{3}| \+0000)$`)
	timerRE = regexp.MustCompile(`^(-1|\d+)$`)
)

// mask splits a log line into fields, the quoted request line being one
// field, and replaces the fields that differ between two runs of the same
// request (dates, and the fields listed in masked: timers, byte counts) by
// placeholders, keeping "-1" (a phase never reached) since that is part of
// the layout. A trailing space, which CLF lines have, is kept as a field.
func mask(line string, masked map[int]bool) []string {
	var f []string
	rest := line
	for rest != "" {
		rest = strings.TrimLeft(rest, " ")
		var tok string
		switch {
		case strings.HasPrefix(rest, `"`):
			end := strings.Index(rest[1:], `" `)
			if end < 0 {
				tok, rest = rest, ""
			} else {
				tok, rest = rest[:end+2], rest[end+2:]
			}
		case strings.HasPrefix(rest, "["):
			end := strings.Index(rest, "]")
			tok, rest = rest[:end+1], rest[end+1:]
			if dateRE.MatchString(strings.Trim(tok, "[]")) {
				tok = "[DATE]"
			}
		default:
			end := strings.IndexByte(rest, ' ')
			if end < 0 {
				end = len(rest)
			}
			tok, rest = rest[:end], rest[end:]
		}
		if tok == "" {
			continue
		}
		if masked[len(f)] {
			parts := strings.Split(tok, "/")
			for j, p := range parts {
				if p != "-1" && timerRE.MatchString(p) {
					parts[j] = "N"
				}
			}
			tok = strings.Join(parts, "/")
		}
		f = append(f, tok)
	}
	if strings.HasSuffix(line, " ") {
		f = append(f, "<trailing space>")
	}
	return f
}

func newOriginServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello from "+r.URL.Path+"\n")
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}
