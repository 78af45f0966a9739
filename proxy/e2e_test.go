package proxy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxytest"
)

func TestSeedRoutingAndCookies(t *testing.T) {
	_, addr, bs := seed(t)
	c := proxytest.Dial(t, addr)

	type got struct {
		Status    int
		Body      string
		SetCookie []string
		CacheCtl  string
		Conn      string
	}
	do := func(path, cookie string) got {
		t.Helper()
		req := "GET " + path + " HTTP/1.1\r\nHost: test\r\n"
		if cookie != "" {
			req += "Cookie: " + cookie + "\r\n"
		}
		c.Send(t, req+"\r\n")
		_, resp, body := c.Response(t, "GET")
		return got{resp.StatusCode, body, resp.Header.Values("Set-Cookie"), resp.Header.Get("Cache-Control"), resp.Header.Get("Connection")}
	}
	steps := []struct {
		path, cookie string
		want         got
	}{
		{"/ms1/a", "", got{200, "ms1.srv1\n", []string{"HA_STICKY_ms1=ms1.srv1; path=/"}, "", ""}}, // no freshness info: haproxy adds no cache-control
		{"/ms1/b", "", got{200, "ms1.srv2\n", []string{"HA_STICKY_ms1=ms1.srv2; path=/"}, "", ""}}, // no freshness info: haproxy adds no cache-control
		{"/ms1/c", "HA_STICKY_ms1=ms1.srv1", got{200, "ms1.srv1\n", nil, "", ""}},
		{"/ms1/c", "HA_STICKY_ms1=ms1.srv1", got{200, "ms1.srv1\n", nil, "", ""}},
		{"/MS1/d", "a=1; HA_STICKY_ms1=ms1.srv2; b=2", got{200, "ms1.srv2\n", nil, "", ""}},
		{"/ms1/e", "HA_STICKY_ms1=bogus", got{200, "ms1.srv1\n", []string{"HA_STICKY_ms1=ms1.srv1; path=/"}, "", ""}}, // no freshness info: haproxy adds no cache-control
		{"/ms2/x", "", got{200, "ms2.srv1\n", []string{"HA_STICKY_ms2=ms2.srv1; path=/"}, "", ""}},                    // no freshness info: haproxy adds no cache-control
		{"/other", "", got{200, "def.srv1\n", []string{"HA_STICKY_def=def.srv1; path=/"}, "", ""}},                    // no freshness info: haproxy adds no cache-control
		{"/other", "", got{200, "def.srv2\n", []string{"HA_STICKY_def=def.srv2; path=/"}, "", ""}},                    // no freshness info: haproxy adds no cache-control
	}
	for i, s := range steps {
		if diff := cmp.Diff(s.want, do(s.path, s.cookie)); diff != "" {
			t.Errorf("step %d %s (-want +got):\n%s", i, s.path, diff)
		}
	}
	// indirect: the persistence cookie never reaches the server, others do.
	seen := bs["ms1.srv2"].Seen()
	last := seen[len(seen)-1]
	if diff := cmp.Diff([]string{"a=1; b=2"}, last.Header.Values("Cookie")); diff != "" {
		t.Errorf("cookie forwarded (-want +got):\n%s", diff)
	}
	for _, s := range bs["ms1.srv1"].Seen() {
		if v := s.Header.Values("Cookie"); len(v) > 0 {
			t.Errorf("ms1.srv1 got Cookie %q", v)
		}
		if diff := cmp.Diff([]string{"127.0.0.1"}, s.Header.Values("X-Forwarded-For")); diff != "" {
			t.Errorf("X-Forwarded-For (-want +got):\n%s", diff)
		}
	}
	// keep-alive on both sides: one client connection, pooled server ones.
	if n := bs["ms1.srv1"].Conns(); n != 1 {
		t.Errorf("ms1.srv1 saw %d connections, want 1 (reuse)", n)
	}
}

func TestSeedRawHeads(t *testing.T) {
	// Byte-level check of what the server receives: lower-case names in
	// order, hop-by-hop fields removed, x-forwarded-for last.
	heads := make(chan string, 1)
	srv := proxytest.NewRawServer(t, func(c netConn) {
		r := newReader(c)
		h, err := proxytest.ReadHead(r)
		if err != nil {
			return
		}
		heads <- h
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Custom: v\r\nCache-Control: max-age=60\r\nConnection: keep-alive\r\n\r\nok"))
		_, _ = proxytest.ReadHead(r)
	})
	repl := map[string]string{"ms1.srv1": srv.Addr(), "ms1.srv2": srv.Addr(), "ms2.srv1": srv.Addr(),
		"ms2.srv2": srv.Addr(), "def.srv1": srv.Addr(), "def.srv2": srv.Addr()}
	_, addr := startProxy(t, seedConfig, "http-in", repl)
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET /ms1/x?q=1 HTTP/1.1\r\nHost: example\r\nUser-Agent: t\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 300\r\nCookie: HA_STICKY_ms1=nope\r\n\r\n")
	head, resp, body := c.Response(t, "GET")
	wantReq := "GET /ms1/x?q=1 HTTP/1.1\r\nhost: example\r\nuser-agent: t\r\nx-forwarded-for: 127.0.0.1\r\n\r\n"
	if diff := cmp.Diff(wantReq, <-heads); diff != "" {
		t.Errorf("request head (-want +got):\n%s", diff)
	}
	wantResp := "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-custom: v\r\ncache-control: max-age=60\r\nset-cookie: HA_STICKY_ms1=ms1.srv1; path=/\r\ncache-control: private\r\n\r\n"
	if diff := cmp.Diff(wantResp, head); diff != "" {
		t.Errorf("response head (-want +got):\n%s", diff)
	}
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	_ = strings.TrimSpace
}
