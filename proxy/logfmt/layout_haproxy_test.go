package logfmt

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestHTTPLogMatchesHaproxy sends the same requests through the real
// haproxy 2.6 and compares its httplog, httplog clf and tcplog lines field
// by field with ours for the same facts (dates and timers masked).
func TestHTTPLogMatchesHaproxy(t *testing.T) {
	origin := newOriginServer(t)
	pHTTP, pCLF, pTCP := freePort(t), freePort(t), freePort(t)
	cfg := fmt.Sprintf(`global
  log stderr format raw local0 info
defaults
  log global
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend fe_http
  mode http
  option httplog
  bind 127.0.0.1:%d
  default_backend be_web
frontend fe_clf
  mode http
  option httplog clf
  bind 127.0.0.1:%d
  default_backend be_web
backend be_web
  mode http
  server web1 %s
listen tcp_in
  mode tcp
  option tcplog
  bind 127.0.0.1:%d
  server web1 %s
`, pHTTP, pCLF, origin, pTCP, origin)
	lines := haproxyRun(t, cfg, pHTTP, pCLF, pTCP)
	// Fields masked to digits-or--1: timers and the byte count (the
	// latter's meaning is the engine's business; haproxy counts the bytes
	// received from the server, 0 for its own error pages).
	// The connection counters (%ac/%fc/%bc/%sc/%rc) are masked too: they
	// count haproxy's other connections at that instant (its start-up
	// probes may still be closing), which a layout test cannot know.
	httpTimers := map[int]bool{4: true, 6: true, 10: true}
	clfTimers := map[int]bool{6: true, 10: true, 14: true, 15: true, 16: true, 17: true, 18: true,
		20: true, 21: true, 22: true, 23: true, 24: true}
	tcpTimers := map[int]bool{4: true, 5: true, 7: true}

	t.Run("httplog", func(t *testing.T) {
		client, n := exchange(t, fmt.Sprintf("127.0.0.1:%d", pHTTP),
			"GET /foo?x=1 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
		got := nextLog(t, lines, client.String()+" ")
		ours := HTTPLog{Client: client, Date: time.Now(), Frontend: "fe_http", Backend: "be_web", Server: "web1",
			TR: 0, Tw: 0, Tc: 0, Tr: 1, Ta: 1, Status: 200, BytesRead: n, TermState: [4]byte{'-', '-', '-', '-'},
			ActConn: 1, FeConn: 1, Method: "GET", URI: "/foo?x=1", Version: "HTTP/1.1"}
		compareLines(t, got, string(ours.AppendTo(nil)), httpTimers)
	})
	t.Run("badreq", func(t *testing.T) {
		client, n := exchange(t, fmt.Sprintf("127.0.0.1:%d", pHTTP), "BAD\x01 REQUEST\r\n\r\n")
		got := nextLog(t, lines, client.String()+" ")
		ours := HTTPLog{Client: client, Date: time.Now(), Frontend: "fe_http", Backend: "fe_http",
			TR: -1, Tw: -1, Tc: -1, Tr: -1, Ta: 0, Status: 400, BytesRead: n, TermState: [4]byte{'P', 'R', '-', '-'},
			ActConn: 1, FeConn: 1}
		compareLines(t, got, string(ours.AppendTo(nil)), httpTimers)
	})
	t.Run("clf", func(t *testing.T) {
		client, n := exchange(t, fmt.Sprintf("127.0.0.1:%d", pCLF),
			"GET /a%22b HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
		got := nextLog(t, lines, fmt.Sprintf(" %d ", client.Port()))
		ours := HTTPLog{Client: client, Date: time.Now(), Frontend: "fe_clf", Backend: "be_web", Server: "web1",
			Tr: 1, Ta: 1, Status: 200, BytesRead: n, TermState: [4]byte{'-', '-', '-', '-'},
			ActConn: 1, FeConn: 1, Method: "GET", URI: "/a%22b", Version: "HTTP/1.1"}
		compareLines(t, got, string(ours.AppendCLF(nil)), clfTimers)
	})
	t.Run("tcplog", func(t *testing.T) {
		client, n := exchange(t, fmt.Sprintf("127.0.0.1:%d", pTCP), "GET / HTTP/1.0\r\n\r\n")
		got := nextLog(t, lines, client.String()+" ")
		ours := TCPLog{Client: client, Accept: time.Now(), Frontend: "tcp_in", Backend: "tcp_in", Server: "web1",
			Tw: 0, Tc: 0, Tt: 1, BytesRead: n, TermState: [2]byte{'-', '-'}, ActConn: 1, FeConn: 1}
		compareLines(t, got, string(ours.AppendTo(nil)), tcpTimers)
	})
}

func compareLines(t *testing.T, haproxy, ours string, timers map[int]bool) {
	t.Helper()
	t.Logf("haproxy: %s", haproxy)
	t.Logf("ours:    %s", ours)
	if diff := cmp.Diff(mask(haproxy, timers), mask(ours, timers)); diff != "" {
		t.Errorf("fields differ from haproxy 2.6 (-haproxy +ours):\n%s", diff)
	}
}
