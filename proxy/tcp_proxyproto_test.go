package proxy

import (
	"context"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxyproto"
	"haappliance/proxy/proxytest"
)

// headerServer records the first bytes of each connection (PROXY header
// and data, up to the client's EOF) on got, and answers "ok".
func headerServer(t testing.TB) (*proxytest.RawServer, chan []byte) {
	got := make(chan []byte, 4)
	s := proxytest.NewRawServer(t, func(c net.Conn) {
		b, _ := io.ReadAll(c)
		got <- b
		_, _ = c.Write([]byte("ok"))
	})
	return s, got
}

func acceptProxy(cfg string) string {
	return strings.Replace(cfg, `mode = "tcp"`, "mode = \"tcp\"\naccept_proxy = true", 1)
}

// TestTCPSendProxy checks byte for byte the header a send_proxy or
// send_proxy_v2 server gets: the client's address and the frontend address
// it connected to, followed by the client's bytes.
func TestTCPSendProxy(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		name, key := "v1", "send_proxy"
		if v2 {
			name, key = "v2", "send_proxy_v2"
		}
		t.Run(name, func(t *testing.T) {
			srv, got := headerServer(t)
			_, addr := startProxy(t, tcpListen(defaultTimeouts, `option = ["tcplog"]`,
				`{ name = "s1", address = "`+srv.Addr()+`", `+key+` = true }`), "tcp-in", nil)
			c := dialTCP(t, addr)
			_, _ = c.Write([]byte("hello"))
			_ = c.CloseWrite()
			if ans := readAllTCP(t, c); ans != "ok" {
				t.Errorf("answer %q", ans)
			}
			src := netip.MustParseAddrPort(c.LocalAddr().String())
			dst := netip.MustParseAddrPort(addr)
			want := proxyproto.AppendV1(nil, src, dst)
			if v2 {
				want = proxyproto.AppendV2(nil, src, dst)
			}
			want = append(want, "hello"...)
			if diff := cmp.Diff(want, <-got); diff != "" {
				t.Errorf("server received (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTCPAcceptProxy: on an accept_proxy bind the client address of the
// PROXY header is the session's: it is passed on to a send_proxy server
// (here v1 in, v2 out), used by the log line, and the bytes that followed
// the header in the same segment are forwarded.
func TestTCPAcceptProxy(t *testing.T) {
	srv, got := headerServer(t)
	opts, logs := tcpLogOptions()
	_, addr := startProxy(t, acceptProxy(tcpListen(defaultTimeouts, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+srv.Addr()+`", send_proxy_v2 = true }`)), "tcp-in", nil, opts)
	src, dst := netip.MustParseAddrPort("198.18.0.50:40000"), netip.MustParseAddrPort("198.18.0.100:9002")
	c := dialTCP(t, addr)
	_, _ = c.Write(append(proxyproto.AppendV1(nil, src, dst), "EHLO x\r\n"...))
	_ = c.CloseWrite()
	if ans := readAllTCP(t, c); ans != "ok" {
		t.Errorf("answer %q", ans)
	}
	want := append(proxyproto.AppendV2(nil, src, dst), "EHLO x\r\n"...)
	if diff := cmp.Diff(want, <-got); diff != "" {
		t.Errorf("server received (-want +got):\n%s", diff)
	}
	if line := logs.wait(t, 1)[0]; !strings.HasPrefix(line, "198.18.0.50:40000 [") {
		t.Errorf("log line %q: want the client address of the header", line)
	}
}

// TestTCPAcceptProxyRejects: a connection that does not start with a PROXY
// header is closed without reaching a server; a LOCAL header keeps the
// connection's own addresses.
func TestTCPAcceptProxyRejects(t *testing.T) {
	srv, got := headerServer(t)
	p, addr := startProxy(t, acceptProxy(tcpListen(defaultTimeouts, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+srv.Addr()+`", send_proxy = true }`)), "tcp-in", nil)
	c := dialTCP(t, addr)
	_, _ = c.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	if ans, _ := io.ReadAll(c); len(ans) != 0 {
		t.Errorf("answer %q, want a close", ans)
	}
	if n := p.Snapshot().Backends[0].SessTotal; n != 0 {
		t.Errorf("%d backend sessions, want 0", n)
	}

	c = dialTCP(t, addr)
	_, _ = c.Write(proxyproto.AppendV2(nil, netip.AddrPort{}, netip.AddrPort{}))
	_ = c.CloseWrite()
	if ans := readAllTCP(t, c); ans != "ok" {
		t.Errorf("answer %q", ans)
	}
	want := proxyproto.AppendV1(nil, netip.MustParseAddrPort(c.LocalAddr().String()), netip.MustParseAddrPort(addr))
	if diff := cmp.Diff(string(want), string(<-got)); diff != "" {
		t.Errorf("server received (-want +got):\n%s", diff)
	}
}

// TestTCPShutdown: Shutdown stops accepting, waits for a running session
// until its context ends, then closes it; the goroutines are gone after.
func TestTCPShutdown(t *testing.T) {
	cfg := decodeConfig(t, tcpListen(defaultTimeouts, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+echoServer(t).Addr()+`" }`))
	p, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	addr := p.Addr("tcp-in")[0].String()
	c := dialTCP(t, addr)
	_, _ = c.Write([]byte("x"))
	buf := make([]byte, 1)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := p.Shutdown(ctx); err == nil {
		t.Error("Shutdown returned nil while a session was running past its deadline")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	if _, err := io.ReadAll(c); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Errorf("session after Shutdown: %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("the listener still accepts after Shutdown")
	}
}
