package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"haappliance/proxy/proxytest"
)

// TestProbeAnsweredByTheProxy: the self-probe path gets 200 from the
// frontend itself, before its rules; nothing reaches a server, nothing is
// logged or counted. A path that only starts like it is an ordinary request.
func TestProbeAnsweredByTheProxy(t *testing.T) {
	be := proxytest.NewBackend(t, "s1")
	var mu sync.Mutex
	var logs []RequestLog
	p, addr := startProxy(t, `
[frontend.f]
bind = ["127.0.0.1:0"]
mode = "http"
option = ["httplog"]
http_request = ["deny if TRUE"]
default_backend = "b"
[backend.b]
mode = "http"
server = [{ name = "s1", address = "{{s1}}" }]
`, "f", map[string]string{"s1": be.Addr()},
		Options{RequestLog: func(l *RequestLog) { mu.Lock(); logs = append(logs, *l); mu.Unlock() }})

	uri := p.ProbeURI()
	if !strings.HasPrefix(uri, "/.haappliance-probe/") || len(uri) < 40 {
		t.Fatalf("ProbeURI %q: want a long secret path", uri)
	}
	if other := newProbeURI(); other == uri {
		t.Fatal("two probe paths are equal: not random")
	}
	get := func(path string) (int, bool) {
		t.Helper()
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nhost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Close
	}
	for range 3 {
		if code, closed := get(uri); code != 200 || !closed {
			t.Fatalf("probe: %d, connection close %v; want 200, close", code, closed)
		}
	}
	if n := be.Count(); n != 0 {
		t.Errorf("the server saw %d probe requests, want 0", n)
	}
	mu.Lock()
	if len(logs) != 0 {
		t.Errorf("probes logged: %+v", logs)
	}
	mu.Unlock()
	if s := frontendRequests(p, "f"); s != 0 {
		t.Errorf("frontend counted %d requests for probes, want 0", s)
	}
	// The rule (deny) applies to everything else, a longer path included.
	if code, _ := get(uri + "x"); code != 403 {
		t.Errorf("probe path + x: %d, want the rule's 403", code)
	}
	if s := frontendRequests(p, "f"); s != 1 {
		t.Errorf("frontend counted %d requests, want 1", s)
	}
}

func frontendRequests(p *Proxy, name string) uint64 {
	for _, px := range p.StatsSnapshot().Proxies {
		if px.Name == name && px.Frontend != nil {
			return px.Frontend.Requests
		}
	}
	return 0
}
