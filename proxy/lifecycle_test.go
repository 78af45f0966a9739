package proxy

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"haappliance/proxy/proxytest"
)

func TestStatsPageAuth(t *testing.T) {
	p, _, _ := seed(t)
	addr := p.Addr("stats")[0].String()
	for _, tc := range []struct {
		auth       string
		wantStatus int
	}{
		{"", 401},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte("admin:wrong")), 401},
		{"basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin")), 200},
	} {
		c := proxytest.Dial(t, addr)
		req := "GET /stats HTTP/1.1\r\nHost: a\r\n"
		if tc.auth != "" {
			req += "Authorization: " + tc.auth + "\r\n"
		}
		c.Send(t, req+"\r\n")
		head, resp, body := c.Response(t, "GET")
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("auth %q: status %d", tc.auth, resp.StatusCode)
		}
		if tc.wantStatus == 401 && !strings.Contains(head, "www-authenticate: Basic realm=\"HAProxy Stats\"\r\n") {
			t.Errorf("401 head %q", head)
		}
		if tc.wantStatus == 200 && !strings.Contains(body, "<html") {
			t.Errorf("body %q", body)
		}
	}
}

func TestFrontendMaxconnGates(t *testing.T) {
	be, release, arrived := blockingBackend(t, "s1")
	cfg := `
[defaults]
mode = "http"
timeout = { connect = "2s", client = "5s", server = "5s" }
[frontend.fe]
bind = ["127.0.0.1:0"]
maxconn = 1
default_backend = "be"
[backend.be]
server = [ { name = "s1", address = "{{s1}}" } ]`
	p, addr := startProxy(t, cfg, "fe", map[string]string{"s1": be.Addr()})
	c1 := proxytest.Dial(t, addr)
	c1.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	<-arrived
	c2 := proxytest.Dial(t, addr) // waits in the backlog
	c2.Send(t, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	select {
	case <-arrived:
		t.Fatal("second connection served above maxconn")
	case <-time.After(150 * time.Millisecond):
	}
	if st := p.Snapshot().Frontends[0]; st.Status != "FULL" || st.SessCur != 1 {
		t.Errorf("frontend status %s, sessions %d", st.Status, st.SessCur)
	}
	close(release)
	if _, resp, _ := c1.Response(t, "GET"); resp.StatusCode != 200 {
		t.Errorf("c1 status %d", resp.StatusCode)
	}
	c1.Conn.Close()
	if _, resp, _ := c2.Response(t, "GET"); resp.StatusCode != 200 {
		t.Errorf("c2 status %d", resp.StatusCode)
	}
}

func TestShutdownLetsInFlightFinish(t *testing.T) {
	be, release, arrived := blockingBackend(t, "s1")
	p, addr := startOne(t, oneOpts{servers: srvLine("s1", be.Addr(), "")})
	idle := proxytest.Dial(t, addr)
	idle.Send(t, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
	<-arrived
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	<-arrived
	close(release)
	if _, resp, _ := idle.Response(t, "GET"); resp.StatusCode != 200 {
		t.Fatal("first response")
	}
	// idle is now an idle keep-alive connection; c's response was released too.
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- p.Shutdown(ctx)
	}()
	head, resp, _ := c.Response(t, "GET")
	if resp.StatusCode != 200 {
		t.Errorf("in-flight status %d", resp.StatusCode)
	}
	_ = head
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if !idle.Closed(time.Second) {
		t.Error("idle connection not closed")
	}
	if err := p.Start(); err == nil {
		t.Error("Start after Shutdown succeeded")
	}
}

// TestShutdownServesFreshConnection: a connection accepted before the stop
// that has not sent its first request yet is a request in progress (a client
// that connected just as the VIP moved): Shutdown waits for it and it is
// served, as HAProxy's soft stop does; only connections between requests
// are closed at once.
func TestShutdownServesFreshConnection(t *testing.T) {
	be := proxytest.NewBackend(t, "s1")
	p, addr := startOne(t, oneOpts{servers: srvLine("s1", be.Addr(), "")})
	fresh := proxytest.Dial(t, addr)
	// The proxy has accepted it once it is registered; wait for that.
	deadline := time.Now().Add(5 * time.Second)
	for p.Snapshot().Frontends[0].SessCur == 0 {
		if time.Now().After(deadline) {
			t.Fatal("connection never accepted")
		}
		time.Sleep(time.Millisecond)
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- p.Shutdown(ctx)
	}()
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) before the fresh connection's request", err)
	case <-time.After(100 * time.Millisecond):
	}
	fresh.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if _, resp, _ := fresh.Response(t, "GET"); resp.StatusCode != 200 {
		t.Errorf("fresh connection answered %d during shutdown", resp.StatusCode)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestReloadKeepsListener(t *testing.T) {
	s1 := proxytest.NewBackend(t, "s1")
	s2 := proxytest.NewBackend(t, "s2")
	text := `
[defaults]
mode = "http"
timeout = { connect = "2s", client = "5s", server = "5s" }
[frontend.fe]
bind = ["127.0.0.1:0"]
default_backend = "be"
[backend.be]
server = [ { name = "s", address = "{{addr}}" } ]`
	p, addr := startProxy(t, text, "fe", map[string]string{"addr": s1.Addr()})
	c := proxytest.Dial(t, addr)
	if got := get(t, c, "/", ""); got != "s1" {
		t.Fatalf("before reload: %q", got)
	}
	// Same bind entry (port 0 keys by the real address): use it.
	text2 := strings.ReplaceAll(strings.ReplaceAll(text, "{{addr}}", s2.Addr()), "127.0.0.1:0", addr)
	if err := p.Reload(decodeConfig(t, text2)); err != nil {
		t.Fatal(err)
	}
	c2 := proxytest.Dial(t, addr)
	if got := get(t, c2, "/", ""); got != "s2" {
		t.Errorf("after reload: %q", got)
	}
	if err := p.Reload(decodeConfig(t, "[frontend.x]\nbind=[\"bad\"]")); err == nil {
		t.Error("invalid reload accepted")
	}
	if got := get(t, c2, "/", ""); got != "s2" {
		t.Errorf("after failed reload: %q", got)
	}
}

func TestConcurrentClients(t *testing.T) {
	_, addr, bs := seed(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := proxytest.Dial(t, addr)
			for j := 0; j < 25; j++ {
				path := []string{"/ms1/", "/ms2/", "/"}[(i+j)%3]
				c.Send(t, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n")
				_, resp, body := c.Response(t, "GET")
				if resp.StatusCode != 200 || body == "" {
					errs <- fmt.Errorf("%s: %d %q", path, resp.StatusCode, body)
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for _, b := range bs {
		total += b.Count()
	}
	if total != 200 {
		t.Errorf("servers saw %d requests, want 200", total)
	}
}

func TestProxyProtocol(t *testing.T) {
	cfg := `
[defaults]
mode = "http"
option = ["forwardfor"]
timeout = { connect = "2s", client = "5s", server = "5s" }
[frontend.fe]
bind = ["127.0.0.1:0"]
accept_proxy = true
default_backend = "be"
[backend.be]
server = [ { name = "s1", address = "{{s1}}", send_proxy = true } ]`
	// The server side speaks PROXY v1 first: a raw server checks it.
	got := make(chan string, 2)
	raw := proxytest.NewRawServer(t, func(c net.Conn) {
		r := newReader(c)
		line, _ := r.ReadString('\n')
		got <- line
		h, _ := proxytest.ReadHead(r)
		got <- h
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"))
	})
	_, addr := startProxy(t, cfg, "fe", map[string]string{"s1": raw.Addr()})
	c := proxytest.Dial(t, addr)
	c.Send(t, "PROXY TCP4 198.18.0.50 198.18.0.100 40000 9001\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if line := <-got; line != "PROXY TCP4 198.18.0.50 198.18.0.100 40000 9001\r\n" {
		t.Errorf("server PROXY line %q", line)
	}
	if h := <-got; !strings.Contains(h, "x-forwarded-for: 198.18.0.50\r\n") {
		t.Errorf("head %q", h)
	}
}
