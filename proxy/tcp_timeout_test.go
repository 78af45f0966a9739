package proxy

import (
	"context"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"haappliance/proxy/proxytest"
)

// silentServer accepts and never sends; it returns when the proxy closes.
func silentServer(t testing.TB) *proxytest.RawServer {
	return proxytest.NewRawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

// TestTCPTimeouts checks each inactivity timeout against the time the
// proxy takes to close an idle session and the termination state it logs
// (HAProxy's: cD client side, sD server side).
func TestTCPTimeouts(t *testing.T) {
	byeServer := proxytest.NewRawServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte("bye"))
		closeWrite(c)
		_, _ = io.Copy(io.Discard, c)
	})
	tests := []struct {
		name     string
		timeouts string
		server   string
		send     string // the client sends this, then stays idle
		min, max time.Duration
		answer   string
		state    string
		keepOpen bool // the client keeps its side open after the EOF
	}{
		{"idle client cut at timeout client", `connect = "1s", client = "300ms", server = "5s"`,
			silentServer(t).Addr(), "", 280 * time.Millisecond, 2 * time.Second, "", "cD", false},
		{"idle server cut at timeout server", `connect = "1s", client = "5s", server = "300ms"`,
			silentServer(t).Addr(), "ping", 280 * time.Millisecond, 2 * time.Second, "", "sD", false},
		{"timeout tunnel supersedes client and server", `connect = "1s", client = "100ms", server = "100ms", tunnel = "600ms"`,
			silentServer(t).Addr(), "", 580 * time.Millisecond, 3 * time.Second, "", "cD", false},
		{"client_fin once the server closed", `connect = "1s", client = "5s", server = "5s", client_fin = "300ms"`,
			byeServer.Addr(), "", 280 * time.Millisecond, 2 * time.Second, "bye", "cD", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts, logs := tcpLogOptions()
			_, addr := startProxy(t, tcpListen(tc.timeouts, `option = ["tcplog"]`,
				`{ name = "s1", address = "`+tc.server+`" }`), "tcp-in", nil, opts)
			c := dialTCP(t, addr)
			start := time.Now()
			if tc.send != "" {
				_, _ = c.Write([]byte(tc.send))
			}
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.answer {
				t.Errorf("client read %q, want %q", got, tc.answer)
			}
			if !tc.keepOpen {
				_ = c.Close()
			}
			line := logs.wait(t, 1)[0] // the session has ended
			if d := time.Since(start); d < tc.min || d > tc.max {
				t.Errorf("session ended after %v, want between %v and %v", d, tc.min, tc.max)
			}
			if !strings.Contains(line, " "+tc.state+" ") {
				t.Errorf("log line %q: want state %s", line, tc.state)
			}
		})
	}
}

// TestTCPActivityKeepsSessionAlive: a server that streams to a client that
// never sends keeps the client side active (writes to a side refresh its
// timeout, as HAProxy without independent-streams), so the session is not
// cut at timeout client.
func TestTCPActivityKeepsSessionAlive(t *testing.T) {
	srv := proxytest.NewRawServer(t, func(c net.Conn) {
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		for range 15 { // 600ms, three times timeout client
			<-tick.C
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
		}
	})
	opts, logs := tcpLogOptions()
	_, addr := startProxy(t, tcpListen(`connect = "1s", client = "200ms", server = "5s"`, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+srv.Addr()+`" }`), "tcp-in", nil, opts)
	if got := readAllTCP(t, dialTCP(t, addr)); got != strings.Repeat("x", 15) {
		t.Errorf("client read %q, want 15 bytes", got)
	}
	if line := logs.wait(t, 1)[0]; !strings.Contains(line, " 15 -- ") {
		t.Errorf("log line %q: want 15 bytes, state --", line)
	}
}

// TestTCPResets: a reset by either side aborts the session; the state
// names the side (CD client, SD server), as HAProxy's.
func TestTCPResets(t *testing.T) {
	resetting := proxytest.NewRawServer(t, func(c net.Conn) {
		buf := make([]byte, 4)
		_, _ = io.ReadFull(c, buf)
		_ = c.(*net.TCPConn).SetLinger(0)
	})
	t.Run("server reset", func(t *testing.T) {
		opts, logs := tcpLogOptions()
		_, addr := startProxy(t, tcpListen(defaultTimeouts, `option = ["tcplog"]`,
			`{ name = "s1", address = "`+resetting.Addr()+`" }`), "tcp-in", nil, opts)
		c := dialTCP(t, addr)
		_, _ = c.Write([]byte("ping"))
		_, _ = io.ReadAll(c)
		if line := logs.wait(t, 1)[0]; !strings.Contains(line, " 0 SD ") {
			t.Errorf("log line %q: want state SD", line)
		}
	})
	t.Run("client reset", func(t *testing.T) {
		opts, logs := tcpLogOptions()
		_, addr := startProxy(t, tcpListen(defaultTimeouts, `option = ["tcplog"]`,
			`{ name = "s1", address = "`+echoServer(t).Addr()+`" }`), "tcp-in", nil, opts)
		c := dialTCP(t, addr)
		_, _ = c.Write([]byte("abc"))
		buf := make([]byte, 3)
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
		_ = c.SetLinger(0)
		_ = c.Close()
		if line := logs.wait(t, 1)[0]; !strings.Contains(line, " 3 CD ") {
			t.Errorf("log line %q: want 3 bytes, state CD", line)
		}
	})
}

// TestTCPLogLine checks the whole tcplog line of a normal session and of a
// session that found no server against HAProxy 2.6's layout (the lines
// captured from haproxy for the same cases are in the comments).
func TestTCPLogLine(t *testing.T) {
	echo := echoServer(t)
	opts, logs := tcpLogOptions()
	p, addr := startProxy(t, tcpListen(defaultTimeouts, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+echo.Addr()+`" }`), "tcp-in", nil, opts)
	// haproxy: 127.0.0.1:41896 [25/Nov/2026:11:33:56.583] normal normal/s1 1/0/0 1003 -- 1/1/0/0/0 0/0
	c := dialTCP(t, addr)
	_, _ = c.Write([]byte(strings.Repeat("y", 1000)))
	_ = c.CloseWrite()
	if got := readAllTCP(t, c); len(got) != 1000 {
		t.Fatalf("echo: %d bytes", len(got))
	}
	// The line is written when the session ends, just after the client sees
	// EOF: wait for it, so the next session's counters and order are known.
	logs.wait(t, 1)
	// haproxy: 127.0.0.1:42924 [25/Nov/2026:11:33:58.092] nosrv nosrv/<NOSRV> -1/-1/0 0 SC 1/1/0/0/0 0/0
	if err := p.SetServerAdmin("tcp-in", "s1", Maint); err != nil {
		t.Fatal(err)
	}
	if got := readAllTCP(t, dialTCP(t, addr)); got != "" {
		t.Fatalf("no server: read %q", got)
	}
	date := `\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]`
	want := []*regexp.Regexp{
		regexp.MustCompile(`^127\.0\.0\.1:\d+ ` + date + ` tcp-in tcp-in/s1 \d+/\d+/\d+ 1000 -- 1/1/0/0/0 0/0$`),
		regexp.MustCompile(`^127\.0\.0\.1:\d+ ` + date + ` tcp-in tcp-in/<NOSRV> -1/-1/\d+ 0 SC 1/1/0/0/0 0/0$`),
	}
	for i, l := range logs.wait(t, 2) {
		if !want[i].MatchString(l) {
			t.Errorf("line %d %q does not match %v", i, l, want[i])
		}
	}
}

// TestTCPLogNeedsLogTarget: option tcplog without a `log` key writes no
// line, as HAProxy (and as httplog here).
func TestTCPLogNeedsLogTarget(t *testing.T) {
	echo := echoServer(t)
	opts, logs := tcpLogOptions()
	cfg := strings.Replace(tcpListen(defaultTimeouts, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+echo.Addr()+`" }`), "log = \"global\"\n", "", 1)
	p, addr := startProxy(t, cfg, "tcp-in", nil, opts)
	c := dialTCP(t, addr)
	_, _ = c.Write([]byte("x"))
	_ = c.CloseWrite()
	if got := readAllTCP(t, c); got != "x" {
		t.Fatalf("echo: %q", got)
	}
	// Shutdown returns once every session has finished (and would have
	// logged): only then is "no line" a fact.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if len(logs.lines) != 0 {
		t.Errorf("tcplog lines without a log target: %q", logs.lines)
	}
}
