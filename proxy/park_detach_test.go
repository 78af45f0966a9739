//go:build linux

package proxy

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"haappliance/proxy/proxytest"
)

func liveConns(p *Proxy) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// parkCounts is what the parker and the frontend count.
type parkCounts struct {
	Parked, Detached, Live int
	SessCur                int64
}

func countsOf(p *Proxy) parkCounts {
	return parkCounts{Parked: p.parker.parkedCount(), Detached: p.parker.detachedCount(),
		Live: liveConns(p), SessCur: p.Snapshot().Frontends[0].SessCur}
}

// A detached connection (its descriptor out of the Go runtime, its
// clientConn dropped) resumes with its next request, keeps its client
// address and request count for the log, and is detached again; pipelined
// requests that wake it are all served.
func TestDetachedConnResumes(t *testing.T) {
	s1 := proxytest.NewBackend(t, "s1")
	var mu sync.Mutex
	var logs []RequestLog
	p, addr := startProxy(t, idleConfig, "fe", map[string]string{"s1": s1.Addr(), "ka": "10s"},
		Options{RequestLog: func(l *RequestLog) { mu.Lock(); logs = append(logs, *l); mu.Unlock() }})
	p.parker.setDetachAfter(0)
	c := proxytest.Dial(t, addr)
	for i := range 3 {
		c.Send(t, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
		if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
		waitFor(t, "the connection to detach", func() bool { return p.parker.detachedCount() == 1 })
		want := parkCounts{Parked: 1, Detached: 1, Live: 0, SessCur: 1}
		if diff := cmp.Diff(want, countsOf(p)); diff != "" {
			t.Fatalf("request %d: counts (-want +got):\n%s", i, diff)
		}
	}
	c.Send(t, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n")
	for range 2 {
		if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
			t.Fatalf("pipelined: status %d", resp.StatusCode)
		}
	}
	if got := s1.Count(); got != 5 {
		t.Fatalf("backend saw %d requests, want 5", got)
	}
	waitFor(t, "5 log records", func() bool { mu.Lock(); defer mu.Unlock(); return len(logs) == 5 })
	mu.Lock()
	defer mu.Unlock()
	for i, l := range logs {
		if l.Client != c.Conn.LocalAddr().String() || l.Frontend != "fe" || l.Status != 200 {
			t.Errorf("log %d: client %q frontend %q status %d, want %q fe 200", i, l.Client, l.Frontend, l.Status, c.Conn.LocalAddr())
		}
	}
	if s := p.Snapshot().Frontends[0]; s.SessTotal != 1 {
		t.Errorf("frontend session total %d, want 1 (one connection)", s.SessTotal)
	}
}

// A detached connection closes silently when timeout http-keep-alive
// ends, and releases its session and its connection slot.
func TestDetachedConnKeepAliveTimeout(t *testing.T) {
	s1 := proxytest.NewBackend(t, "s1")
	p, addr := startProxy(t, idleConfig, "fe", map[string]string{"s1": s1.Addr(), "ka": "400ms"})
	p.parker.setDetachAfter(0)
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	c.Response(t, "GET")
	if !c.Closed(10 * time.Second) {
		t.Fatal("the idle connection stayed open past timeout http-keep-alive")
	}
	waitFor(t, "the connection to end", func() bool { return countsOf(p) == parkCounts{} })
}

// With maxconn 1, a detached connection holds the frontend's one slot;
// its hang-up ends it and frees the slot for the next client.
func TestDetachedConnHangupFreesSlot(t *testing.T) {
	s1 := proxytest.NewBackend(t, "s1")
	cfg := idleConfig + "\n[frontend.fe2]\nbind = [\"127.0.0.1:0\"]\nmaxconn = 1\ndefault_backend = \"be\"\n"
	p, _ := startProxy(t, cfg, "fe", map[string]string{"s1": s1.Addr(), "ka": "10s"})
	p.parker.setDetachAfter(0)
	addr := p.Addr("fe2")[0].String()
	c1 := proxytest.Dial(t, addr)
	c1.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	c1.Response(t, "GET")
	waitFor(t, "the connection to detach", func() bool { return p.parker.detachedCount() == 1 })
	c2 := proxytest.Dial(t, addr) // waits in the backlog: the slot is taken
	c2.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	_ = c1.Conn.Close()
	if _, resp, _ := c2.Response(t, "GET"); resp.StatusCode != 200 {
		t.Fatalf("second client: status %d", resp.StatusCode)
	}
	waitFor(t, "the first connection to end", func() bool {
		return p.parker.parkedCount() <= 1 && p.Snapshot().Frontends[1].SessTotal == 2
	})
}

// Drain closes detached connections (they are idle) and reports nothing
// in progress; Shutdown then returns at once, and every count is back to 0.
func TestDetachedConnDrainAndShutdown(t *testing.T) {
	s1 := proxytest.NewBackend(t, "s1")
	p, addr := startProxy(t, idleConfig, "fe", map[string]string{"s1": s1.Addr(), "ka": "10s"})
	p.parker.setDetachAfter(0)
	var cs []*proxytest.Client
	for range 4 {
		c := proxytest.Dial(t, addr)
		c.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		c.Response(t, "GET")
		cs = append(cs, c)
	}
	waitFor(t, "4 detached", func() bool { return p.parker.detachedCount() == 4 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if n := p.Drain(ctx); n != 0 {
		t.Fatalf("Drain: %d requests in progress, want 0", n)
	}
	for i, c := range cs {
		if !c.Closed(5 * time.Second) {
			t.Errorf("client %d: detached connection not closed by Drain", i)
		}
	}
	if diff := cmp.Diff(parkCounts{}, countsOf(p)); diff != "" {
		t.Fatalf("after Drain (-want +got):\n%s", diff)
	}
	// One more, detached when Shutdown comes.
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	c.Response(t, "GET")
	waitFor(t, "1 detached", func() bool { return p.parker.detachedCount() == 1 })
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if !c.Closed(5 * time.Second) {
		t.Error("detached connection not closed by Shutdown")
	}
	if s := p.Snapshot().Frontends[0]; s.SessCur != 0 {
		t.Fatalf("frontend sessions %d after Shutdown, want 0", s.SessCur)
	}
}

// Bytes that arrive while a connection is parked attached are not lost
// when it is detached: the copy of its descriptor is registered ready.
// This drives the parker by hand (no run goroutine), so the order is
// fixed: park, bytes arrive, detach, wait.
func TestDetachKeepsPendingBytes(t *testing.T) {
	p, err := New(decodeConfig(t, `
[defaults]
mode = "http"
timeout = { client = "5s", server = "5s", connect = "1s" }
[frontend.fe]
bind = ["127.0.0.1:0"]
default_backend = "be"
[backend.be]
server = [ { name = "s1", address = "127.0.0.1:1" } ]
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pk, err := newParker()
	if err != nil {
		t.Fatal(err)
	}
	defer pk.close()
	p.parker = pk
	pk.detachAfter = 0
	fe := p.rt.Load().frontends[0]

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	// What serveConn and a first request leave behind.
	fe.c.sessionStart()
	p.handlers.Add(1)
	cc := newClientConn(p, fe, server)
	cc.nreq = 1
	p.conns[cc] = struct{}{}
	if !cc.park(time.Time{}) {
		t.Fatal("park refused")
	}
	const req = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"
	if _, err := client.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	// Wait (a state, not a time) until the bytes are in the socket.
	fds := []unix.PollFd{{Fd: int32(cc.fd), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, 5000); n != 1 || err != nil {
		t.Fatalf("poll: %d %v", n, err)
	}
	if n := pk.timersDue(time.Now().Add(time.Second)); n != 1 {
		t.Fatalf("detached %d connections, want 1", n)
	}
	if diff := cmp.Diff(parkCounts{Parked: 1, Detached: 1, Live: 0, SessCur: 1}, countsOf(p)); diff != "" {
		t.Fatalf("after detach (-want +got):\n%s", diff)
	}
	events := make([]unix.EpollEvent, 4)
	n, err := unix.EpollWait(pk.epfd, events, 0)
	var ready []int32 // connections (not the parker's eventfd) ready
	for _, ev := range events[:max(n, 0)] {
		if int(ev.Fd) != pk.evfd {
			ready = append(ready, ev.Fd)
		}
	}
	if err != nil || len(ready) != 1 {
		t.Fatalf("epoll_wait after detach: %v (%v), want one descriptor: the pending bytes were lost", ready, err)
	}
	fd := int(ready[0])
	pk.mu.Lock()
	rec := pk.byFD[fd]
	pk.mu.Unlock()
	if rec.cc != nil || rec.fe != fe || rec.nreq != 1 {
		t.Fatalf("record on fd %d: cc %v fe %v nreq %d, want detached, fe, 1", fd, rec.cc, rec.fe, rec.nreq)
	}
	buf := make([]byte, 256)
	got, err := unix.Read(fd, buf)
	if err != nil || string(buf[:got]) != req {
		t.Fatalf("read on the detached descriptor: %q %v, want %q", buf[:max(got, 0)], err, req)
	}
	if n := pk.closeDetached(); n != 1 {
		t.Fatalf("closeDetached closed %d, want 1", n)
	}
	if diff := cmp.Diff(parkCounts{}, countsOf(p)); diff != "" {
		t.Fatalf("after closeDetached (-want +got):\n%s", diff)
	}
	p.handlers.Wait()
}

// Many connections detach and resume at once, in rounds: every request is
// served and the counts come back right (run with -race).
func TestDetachedConnsConcurrent(t *testing.T) {
	const conns, rounds = 40, 4
	s1 := proxytest.NewBackend(t, "s1")
	p, addr := startProxy(t, idleConfig, "fe", map[string]string{"s1": s1.Addr(), "ka": "10s"})
	p.parker.setDetachAfter(0)
	cs := make([]*proxytest.Client, conns)
	for i := range cs {
		cs[i] = proxytest.Dial(t, addr)
	}
	for r := range rounds {
		// All requests out first: the connections resume together.
		for _, c := range cs {
			c.Send(t, "GET /r HTTP/1.1\r\nHost: h\r\n\r\n")
		}
		for i, c := range cs {
			if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
				t.Fatalf("round %d, client %d: status %d", r, i, resp.StatusCode)
			}
		}
		waitFor(t, "every connection detached", func() bool { return p.parker.detachedCount() == conns })
	}
	if got := s1.Count(); got != conns*rounds {
		t.Fatalf("backend saw %d requests, want %d", got, conns*rounds)
	}
	if diff := cmp.Diff(parkCounts{Parked: conns, Detached: conns, SessCur: conns}, countsOf(p)); diff != "" {
		t.Fatalf("counts (-want +got):\n%s", diff)
	}
}

// A resumed detached connection (a *tcpConn on the parked descriptor)
// gives the same addresses as the accepted one: the PROXY line that
// send_proxy writes to a new server connection names the same client and
// frontend addresses before the detach and after the resume.
func TestDetachedConnResumesWithItsAddresses(t *testing.T) {
	lines := make(chan string, 4)
	raw := proxytest.NewRawServer(t, func(c net.Conn) {
		r := newReader(c)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = proxytest.ReadHead(r)
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"))
	})
	cfg := strings.Replace(idleConfig, `address = "{{s1}}" }`, `address = "{{s1}}", send_proxy = true }`, 1)
	p, addr := startProxy(t, cfg, "fe", map[string]string{"s1": raw.Addr(), "ka": "10s"})
	p.parker.setDetachAfter(0)
	c := proxytest.Dial(t, addr)
	cl := c.Conn.LocalAddr().(*net.TCPAddr)
	fe := c.Conn.RemoteAddr().(*net.TCPAddr)
	want := fmt.Sprintf("PROXY TCP4 %s %s %d %d\r\n", cl.IP, fe.IP, cl.Port, fe.Port)
	for i := range 2 {
		c.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
		if got := <-lines; got != want {
			t.Errorf("request %d: server got %q, want %q", i, got, want)
		}
		waitFor(t, "the connection to detach", func() bool { return p.parker.detachedCount() == 1 })
	}
	// Once more, and let it park without detaching: the resumed connection
	// is a *tcpConn and has no TCP keep-alive (the frontend has no tcpka;
	// net.FileConn, used before, turned Go's default keep-alive on).
	p.parker.setDetachAfter(time.Hour)
	c.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	<-lines
	waitFor(t, "the connection to park attached", func() bool {
		return p.parker.parkedCount() == 1 && p.parker.detachedCount() == 0
	})
	p.mu.Lock()
	var conns []net.Conn
	for cc := range p.conns {
		conns = append(conns, cc.conn)
	}
	p.mu.Unlock()
	if len(conns) != 1 {
		t.Fatalf("%d live connections, want 1", len(conns))
	}
	if _, ok := conns[0].(*tcpConn); !ok {
		t.Errorf("resumed connection is a %T, want *tcpConn", conns[0])
	}
	if keepAliveOn(t, conns[0]) {
		t.Error("resumed connection has SO_KEEPALIVE on")
	}
}
