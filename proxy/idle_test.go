package proxy

import (
	"context"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/h1"
	"haappliance/proxy/proxytest"
)

const idleConfig = `
[defaults]
mode = "http"
timeout = { connect = "2s", client = "5s", server = "5s", http_keep_alive = "{{ka}}" }
[frontend.fe]
bind = ["127.0.0.1:0"]
default_backend = "be"
[backend.be]
server = [ { name = "s1", address = "{{s1}}" } ]
`

// waitFor polls cond (a state, not a duration: no timing is asserted)
// for at most 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
		if cond() {
			return
		}
		goruntime.Gosched()
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// idleState is what an idle connection holds.
type idleState struct {
	Parked  bool
	HasBuf  bool
	HasHdrs bool
}

func connStates(p *Proxy) []idleState {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []idleState
	for cc := range p.conns {
		p.parker.mu.Lock()
		out = append(out, idleState{Parked: cc.parked, HasBuf: cc.buf != nil, HasHdrs: cc.hdrs != nil})
		p.parker.mu.Unlock()
	}
	return out
}

// An idle keep-alive connection parks without buffers, resumes on its next
// request, and parks again.
func TestIdleConnParksAndResumes(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("parking is Linux-only")
	}
	s1 := proxytest.NewBackend(t, "s1")
	p, addr := startProxy(t, idleConfig, "fe", map[string]string{"s1": s1.Addr(), "ka": "10s"})
	p.parker.setDetachAfter(time.Hour) // this test is about the attached stage
	c := proxytest.Dial(t, addr)
	for i := range 3 {
		c.Send(t, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
		if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
		waitFor(t, "the connection to park", func() bool { return p.parker.parkedCount() == 1 })
		want := []idleState{{Parked: true}}
		if diff := cmp.Diff(want, connStates(p)); diff != "" {
			t.Fatalf("request %d: idle state (-want +got):\n%s", i, diff)
		}
	}
	// Pipelined requests arriving on a parked connection are all served.
	c.Send(t, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n")
	for _, m := range []string{"GET", "GET"} {
		if _, resp, _ := c.Response(t, m); resp.StatusCode != 200 {
			t.Fatalf("pipelined: status %d", resp.StatusCode)
		}
	}
	if got := s1.Count(); got != 5 {
		t.Fatalf("backend saw %d requests, want 5", got)
	}
}

// A parked connection closes silently when timeout http-keep-alive ends,
// and releases its slot and session.
func TestParkedConnKeepAliveTimeout(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("parking is Linux-only")
	}
	s1 := proxytest.NewBackend(t, "s1")
	p, addr := startProxy(t, idleConfig, "fe", map[string]string{"s1": s1.Addr(), "ka": "400ms"})
	p.parker.setDetachAfter(time.Hour) // this test is about the attached stage
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	c.Response(t, "GET")
	if !c.Closed(10 * time.Second) {
		t.Fatal("the idle connection stayed open past timeout http-keep-alive")
	}
	waitFor(t, "the connection to end", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.conns) == 0
	})
	if n := p.parker.parkedCount(); n != 0 {
		t.Fatalf("%d connections still parked", n)
	}
	fe := p.Snapshot().Frontends[0]
	if fe.SessCur != 0 {
		t.Fatalf("frontend sessions %d after the close, want 0", fe.SessCur)
	}
}

// A hang-up on a parked connection ends it; Shutdown closes the parked
// ones and returns.
func TestParkedConnHangupAndShutdown(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("parking is Linux-only")
	}
	s1 := proxytest.NewBackend(t, "s1")
	p, addr := startProxy(t, idleConfig, "fe", map[string]string{"s1": s1.Addr(), "ka": "10s"})
	p.parker.setDetachAfter(time.Hour) // this test is about the attached stage
	var cs []*proxytest.Client
	for range 4 {
		c := proxytest.Dial(t, addr)
		c.Send(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		c.Response(t, "GET")
		cs = append(cs, c)
	}
	waitFor(t, "4 parked", func() bool { return p.parker.parkedCount() == 4 })
	_ = cs[0].Conn.Close()
	waitFor(t, "the hung-up connection to end", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.conns) == 3
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for i, c := range cs[1:] {
		if !c.Closed(5 * time.Second) {
			t.Errorf("client %d: parked connection not closed by Shutdown", i+1)
		}
	}
	if fe := p.Snapshot().Frontends[0]; fe.SessCur != 0 {
		t.Fatalf("frontend sessions %d after Shutdown, want 0", fe.SessCur)
	}
}

// TestReleaseIdleClearsWrittenHeaders: the pooled header slice goes back
// with no entry still pointing into a request buffer, although only the
// entries written are cleared: those of an earlier, longer pipelined
// request and one a header rule appended, beyond the last parse's length.
func TestReleaseIdleClearsWrittenHeaders(t *testing.T) {
	cc := &clientConn{}
	cc.needHeaders()
	pooled := cc.hdrs
	buf := []byte("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\nGET / HTTP/1.1\r\nE: 5\r\n\r\n")
	n, err := h1.ParseRequest(buf, &cc.req, h1.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	cc.hdrsN = max(cc.hdrsN, len(cc.req.Headers))
	cc.req.Headers = append(cc.req.Headers, h1.Header{Name: []byte("X-Added"), Value: []byte("1")}) // a rule
	cc.hdrsN = max(cc.hdrsN, len(cc.req.Headers))
	if _, err := h1.ParseRequest(buf[n:], &cc.req, h1.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	if len(cc.req.Headers) != 1 || cc.hdrsN != 5 {
		t.Fatalf("len %d, hdrsN %d; want 1 and 5", len(cc.req.Headers), cc.hdrsN)
	}
	cc.releaseIdle()
	for i, h := range (*pooled)[:cap(*pooled)] {
		if h.Name != nil || h.Value != nil {
			t.Fatalf("pooled header %d still holds %q: %q", i, h.Name, h.Value)
		}
	}
	if cc.hdrsN != 0 || cc.hdrs != nil {
		t.Errorf("after release: hdrsN %d, hdrs %v", cc.hdrsN, cc.hdrs)
	}
}
