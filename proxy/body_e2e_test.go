package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxytest"
)

func echoBackend(t *testing.T) *proxytest.Backend {
	be := proxytest.NewBackend(t, "echo")
	be.Handler = func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Header().Set("Content-Type", "text/plain")
			for i := 0; i < 3; i++ {
				_, _ = io.WriteString(w, strings.Repeat("x", 5000))
				w.(http.Flusher).Flush()
			}
		case "/204":
			w.WriteHeader(204)
		default:
			seen := be.Seen()
			last := seen[len(seen)-1]
			w.Header().Set("X-Method", r.Method)
			_, _ = io.WriteString(w, "body="+last.Body)
		}
	}
	return be
}

func TestBodies(t *testing.T) {
	be := echoBackend(t)
	_, addr := startOne(t, oneOpts{servers: srvLine("s", be.Addr(), "")})
	c := proxytest.Dial(t, addr)
	big := strings.Repeat("0123456789", 5000) // larger than a buffer
	type res struct {
		Status int
		Body   string
	}
	steps := []struct {
		name, method, req string
		want              res
	}{
		{"POST fixed", "POST", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", res{200, "body=hello"}},
		{"POST big", "POST", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 50000\r\n\r\n" + big, res{200, "body=" + big}},
		{"POST chunked", "POST", "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-T: 1\r\n\r\n", res{200, "body=abcde"}},
		{"HEAD", "HEAD", "HEAD /p HTTP/1.1\r\nHost: a\r\n\r\n", res{200, ""}},
		{"chunked response", "GET", "GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n", res{200, strings.Repeat("x", 15000)}},
		{"204", "GET", "GET /204 HTTP/1.1\r\nHost: a\r\n\r\n", res{204, ""}},
		{"GET after all", "GET", "GET /p HTTP/1.1\r\nHost: a\r\n\r\n", res{200, "body="}},
	}
	for _, s := range steps {
		c.Send(t, s.req)
		_, resp, body := c.Response(t, s.method)
		if diff := cmp.Diff(s.want, res{resp.StatusCode, body}); diff != "" {
			t.Errorf("%s (-want +got):\n%s", s.name, diff)
		}
	}
	if n := be.Conns(); n != 1 {
		t.Errorf("server connections = %d, want 1", n)
	}
}

func TestPipelined(t *testing.T) {
	be := echoBackend(t)
	_, addr := startOne(t, oneOpts{servers: srvLine("s", be.Addr(), "")})
	c := proxytest.Dial(t, addr)
	c.Send(t, "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nabGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
	_, r1, b1 := c.Response(t, "POST")
	_, r2, b2 := c.Response(t, "GET")
	if r1.StatusCode != 200 || b1 != "body=ab" || r2.StatusCode != 200 || b2 != "body=" {
		t.Errorf("got %d %q, %d %q", r1.StatusCode, b1, r2.StatusCode, b2)
	}
}

func TestExpectContinue(t *testing.T) {
	be := echoBackend(t)
	_, addr := startOne(t, oneOpts{servers: srvLine("s", be.Addr(), "")})
	c := proxytest.Dial(t, addr)
	c.Send(t, "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
	head, err := proxytest.ReadHead(c.R)
	if err != nil || head != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("interim = %q, %v", head, err)
	}
	c.Send(t, "data")
	_, resp, body := c.Response(t, "POST")
	if resp.StatusCode != 200 || body != "body=data" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	if got := be.Seen()[0].Header.Get("Expect"); got != "100-continue" {
		t.Errorf("server saw Expect %q", got)
	}
}

func TestWebSocketTunnel(t *testing.T) {
	srv := proxytest.NewRawServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		h, err := proxytest.ReadHead(r)
		if err != nil || !strings.Contains(h, "upgrade: websocket") || !strings.Contains(h, "connection: upgrade") {
			_, _ = c.Write([]byte("HTTP/1.1 400 Bad\r\ncontent-length: 0\r\n\r\n"))
			return
		}
		_, _ = c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"))
		// echo in upper case until EOF
		buf := make([]byte, 64)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				_, _ = c.Write([]byte(strings.ToUpper(string(buf[:n]))))
			}
			if err != nil {
				return
			}
		}
	})
	_, addr := startOne(t, oneOpts{servers: srvLine("s", srv.Addr(), "")})
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	head, err := proxytest.ReadHead(c.R)
	want := "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n"
	if err != nil || head != want {
		t.Fatalf("head %q, %v", head, err)
	}
	c.Send(t, "hello")
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c.R, buf); err != nil || string(buf) != "HELLO" {
		t.Fatalf("tunnel echo %q, %v", buf, err)
	}
	_ = c.Conn.(*net.TCPConn).CloseWrite()
	if rest, _ := io.ReadAll(c.R); len(rest) != 0 {
		t.Errorf("extra bytes %q", rest)
	}
}

func TestConnectionModes(t *testing.T) {
	for _, tc := range []struct {
		name, option, req string
		wantConn          string // connection header to the client
		wantClosed        bool
		serverConns       int // after two requests
	}{
		{"keep-alive 1.1", `"http-keep-alive"`, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "", false, 1},
		{"keep-alive 1.0", `"http-keep-alive"`, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "keep-alive", false, 1},
		{"1.0 without keep-alive", `"http-keep-alive"`, "GET / HTTP/1.0\r\n\r\n", "", true, 1},
		{"server-close", `"http-server-close"`, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "", false, 2},
		{"httpclose", `"httpclose"`, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "close", true, 2},
		{"client close", `"http-keep-alive"`, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "close", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := proxytest.NewBackend(t, "s")
			_, addr := startOne(t, oneOpts{options: tc.option, servers: srvLine("s", be.Addr(), "")})
			for i := 0; i < 2; i++ {
				c := proxytest.Dial(t, addr)
				c.Send(t, tc.req)
				head, _, _ := c.Response(t, "GET")
				if got := headerOf(head, "connection"); got != tc.wantConn {
					t.Errorf("connection %q, want %q", got, tc.wantConn)
				}
				if i == 0 {
					if closed := c.Closed(300e6); closed != tc.wantClosed {
						t.Errorf("closed = %v, want %v", closed, tc.wantClosed)
					}
				}
			}
			if n := be.Conns(); n != tc.serverConns {
				t.Errorf("server connections %d, want %d", n, tc.serverConns)
			}
		})
	}
}

// headerOf returns the value of the first field called name in a raw head.
func headerOf(head, name string) string {
	for _, l := range strings.Split(head, "\r\n") {
		if n, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(n, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
