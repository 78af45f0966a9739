package proxy

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"haappliance/proxy/proxytest"
)

// logLines collects the messages a logrus logger emits at info level or
// above (the tcplog lines).
type logLines struct {
	mu    sync.Mutex
	lines []string
	added chan struct{}
}

func (h *logLines) Levels() []logrus.Level {
	return []logrus.Level{logrus.InfoLevel}
}

func (h *logLines) Fire(e *logrus.Entry) error {
	h.mu.Lock()
	h.lines = append(h.lines, e.Message)
	h.mu.Unlock()
	select {
	case h.added <- struct{}{}:
	default:
	}
	return nil
}

// wait returns the first n lines, waiting up to 5s for them.
func (h *logLines) wait(t testing.TB, n int) []string {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		h.mu.Lock()
		if len(h.lines) >= n {
			out := append([]string(nil), h.lines[:n]...)
			h.mu.Unlock()
			return out
		}
		h.mu.Unlock()
		select {
		case <-h.added:
		case <-deadline:
			t.Fatalf("waited for %d log lines, got %v", n, h.lines)
		}
	}
}

// tcpLogOptions returns engine options whose info lines land in the
// returned collector.
func tcpLogOptions() (Options, *logLines) {
	l := logrus.New()
	l.Out = io.Discard
	l.Level = logrus.InfoLevel
	h := &logLines{added: make(chan struct{}, 1)}
	l.AddHook(h)
	return Options{Log: logrus.NewEntry(l)}, h
}

// echoServer echoes what it reads and half-closes when the client does.
func echoServer(t testing.TB) *proxytest.RawServer {
	return proxytest.NewRawServer(t, func(c net.Conn) {
		_, _ = io.Copy(c, c)
		closeWrite(c)
		_, _ = io.Copy(io.Discard, c)
	})
}

// nameServer writes its name and closes.
func nameServer(t testing.TB, name string) *proxytest.RawServer {
	return proxytest.NewRawServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte(name))
	})
}

// deadPort returns a loopback address nothing listens on.
func deadPort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().String()
	_ = ln.Close()
	return a
}

// dialTCP connects to addr with a bound on the whole exchange.
func dialTCP(t testing.TB, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { _ = c.Close() })
	return c.(*net.TCPConn)
}

// readAllTCP reads c to EOF, closes it and returns the text.
func readAllTCP(t testing.TB, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	_ = c.Close()
	return string(b)
}

// defaultTimeouts are the timeouts of tcpListen when none are given.
const defaultTimeouts = `connect = "1s", client = "5s", server = "5s"`

// tcpListen is a listen section "tcp-in" in tcp mode bound on 127.0.0.1
// port 0, with the timeouts (an inline table's content), extra lines
// (option, balance...) and servers (TOML inline tables).
func tcpListen(timeouts, extra string, servers ...string) string {
	return `
[listen.tcp-in]
bind = ["127.0.0.1:0"]
mode = "tcp"
log = "global"
timeout = { ` + timeouts + ` }
` + extra + `
server = [
  ` + strings.Join(servers, ",\n  ") + `,
]
`
}
