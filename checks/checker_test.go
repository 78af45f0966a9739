package checks

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"testing/synctest"
)

// fakeServer answers every connection with behave, on 127.0.0.1:0.
type fakeServer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	quit chan struct{}
	mu   sync.Mutex
	reqs []string
}

func newFakeServer(t *testing.T, behave behavior) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{ln: ln, quit: make(chan struct{})}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() {
				defer c.Close()
				behave(s, c, s.quit)
			})
		}
	})
	t.Cleanup(func() {
		close(s.quit)
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *fakeServer) addr() string { return s.ln.Addr().String() }

// readRequest reads a request head and records it.
func (s *fakeServer) readRequest(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	var head string
	for {
		line, err := r.ReadString('\n')
		head += line
		if err != nil || line == "\r\n" {
			break
		}
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, head)
	s.mu.Unlock()
}

// behavior is what a fakeServer does with one connection.
type behavior func(s *fakeServer, c net.Conn, quit <-chan struct{})

func reply(resp string) behavior {
	return func(s *fakeServer, c net.Conn, _ <-chan struct{}) {
		s.readRequest(c)
		c.Write([]byte(resp))
	}
}

func replyThenHang(resp string) behavior {
	return func(s *fakeServer, c net.Conn, quit <-chan struct{}) {
		s.readRequest(c)
		c.Write([]byte(resp))
		<-quit
	}
}

func TestCheckerStatuses(t *testing.T) {
	seed := &HTTPCheck{Method: "GET", URI: "/healthCheck.html"}
	fast := Params{Inter: dur(300 * ms)}
	tests := []struct {
		name    string
		http    *HTTPCheck
		params  Params
		behave  behavior
		want    Result
		minTime time.Duration
	}{
		{"tcp connect", nil, fast, func(*fakeServer, net.Conn, <-chan struct{}) {}, Result{Status: StatusL4OK}, 0},
		{"200", seed, fast, reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), Result{Status: StatusL7OK, Code: 200}, 0},
		{"200 headers only, body never ends", seed, fast, replyThenHang("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"), Result{Status: StatusL7OK, Code: 200}, 0},
		{"3xx passes by default", seed, fast, reply("HTTP/1.1 301 Moved Permanently\r\n\r\n"), Result{Status: StatusL7OK, Code: 301}, 0},
		{"404 wrong status", seed, fast, reply("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), Result{Status: StatusL7Status, Code: 404, Info: "Not Found"}, 0},
		{"503 without phrase", seed, fast, reply("HTTP/1.1 503\r\n\r\n"), Result{Status: StatusL7Status, Code: 503}, 0},
		{"expect_status 200 rejects 301", &HTTPCheck{ExpectStatus: "200"}, fast, reply("HTTP/1.1 301 Moved Permanently\r\n\r\n"), Result{Status: StatusL7Status, Code: 301, Info: "Moved Permanently"}, 0},
		{"disable_on_404", &HTTPCheck{DisableOn404: true}, fast, reply("HTTP/1.1 404 Not Found\r\n\r\n"), Result{Status: StatusL7OKCond, Code: 404}, 0},
		{"garbage", seed, fast, replyThenHang("garbage garbage\r\n\r\n"), Result{Status: StatusL7Response}, 0},
		{"HTTP/0.9 style body then close", seed, fast, reply("hello"), Result{Status: StatusL7Response}, 0},
		{"close without response", seed, fast, reply(""), Result{Status: StatusL7Response}, 0},
		{"truncated head then close", seed, fast, reply("HTTP/1.1 200 OK\r\nContent-Le"), Result{Status: StatusL7Response}, 0},
		{"no response: inter bounds the check", seed, fast, replyThenHang(""), Result{Status: StatusL7Timeout}, 300 * ms},
		{"partial head: timeout", seed, fast, replyThenHang("HTTP/1.1 200 OK\r\nContent-Le"), Result{Status: StatusL7Timeout}, 300 * ms},
		{"timeout check after connect", seed, Params{Inter: dur(2 * time.Second), Timeout: dur(150 * ms), ConnectTimeout: dur(time.Second)},
			replyThenHang(""),
			Result{Status: StatusL7Timeout}, 150 * ms},
		{"reset", seed, fast, func(s *fakeServer, c net.Conn, _ <-chan struct{}) {
			s.readRequest(c)
			c.(*net.TCPConn).SetLinger(0)
		}, Result{Status: StatusSockErr, Info: "Connection reset by peer"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, tt.behave)
			c, err := NewChecker(Spec{Addr: srv.addr(), HTTP: tt.http}, tt.params)
			if err != nil {
				t.Fatal(err)
			}
			got := c.Check(context.Background())
			if got.Duration < tt.minTime || got.Duration > tt.minTime+2*time.Second {
				t.Errorf("duration %v, want at least %v", got.Duration, tt.minTime)
			}
			if d := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Result{}, "Duration")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestCheckerSendsRequest(t *testing.T) {
	srv := newFakeServer(t, reply("HTTP/1.1 200 OK\r\n\r\n"))
	h := &HTTPCheck{Method: "HEAD", URI: "/hc", Version: "HTTP/1.1", Host: "www"}
	c, err := NewChecker(Spec{Addr: srv.addr(), HTTP: h}, Params{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the reused buffer must not leak between checks
		if got := c.Check(context.Background()); got.Status != StatusL7OK {
			t.Fatalf("got %+v", got)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	want := []string{"HEAD /hc HTTP/1.1\r\nhost: www\r\nconnection: close\r\n\r\n", "HEAD /hc HTTP/1.1\r\nhost: www\r\nconnection: close\r\n\r\n"}
	if d := cmp.Diff(want, srv.reqs); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestCheckerLargeHead(t *testing.T) {
	big := "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 4000) + "\r\n\r\n"
	srv := newFakeServer(t, reply(big))
	c, _ := NewChecker(Spec{Addr: srv.addr(), HTTP: &HTTPCheck{}}, Params{})
	if got := c.Check(context.Background()); got.Status != StatusL7OK {
		t.Errorf("4 kB head: %+v", got)
	}
}

func TestCheckerRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, h := range []*HTTPCheck{nil, {}} {
		c, _ := NewChecker(Spec{Addr: addr, HTTP: h}, Params{})
		got := c.Check(context.Background())
		want := Result{Status: StatusL4Con, Info: "Connection refused"}
		if d := cmp.Diff(want, got, cmpopts.IgnoreFields(Result{}, "Duration")); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	}
}

// blockingDialer never connects: the connect timeout path without a kernel.
type blockingDialer struct{}

func (blockingDialer) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestCheckerConnectTimeout(t *testing.T) {
	tests := []struct {
		p    Params
		want time.Duration
	}{
		{Params{Inter: dur(200 * ms)}, 200 * ms},
		{Params{Inter: dur(200 * ms), ConnectTimeout: dur(50 * ms)}, 200 * ms},                                  // no timeout check: inter
		{Params{Inter: dur(2 * time.Second), ConnectTimeout: dur(50 * ms), Timeout: dur(time.Second)}, 50 * ms}, // min(connect, inter)
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			c, _ := NewChecker(Spec{Addr: "127.0.0.1:1", Dialer: blockingDialer{}}, tt.p)
			got := c.Check(context.Background())
			if d := cmp.Diff(Result{Status: StatusL4Timeout, Duration: tt.want}, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestCheckerAbandoned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*ms)
		defer cancel()
		c, _ := NewChecker(Spec{Addr: "127.0.0.1:1", Dialer: blockingDialer{}}, Params{})
		if got := c.Check(ctx); got.Status != StatusUnknown {
			t.Errorf("got %+v, want an abandoned check", got)
		}
	})
}
