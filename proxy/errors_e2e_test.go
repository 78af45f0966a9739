package proxy

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxytest"
)

// oneBackend is a minimal configuration: one frontend, one backend.
const oneBackend = `
[defaults]
mode = "http"
timeout = { connect = "2s", client = "{{client}}", server = "{{server}}", http_request = "{{http_request}}", queue = "{{queue}}" }
option = [{{options}}]
retries = {{retries}}

[frontend.fe]
bind = ["127.0.0.1:0"]
default_backend = "be"

[backend.be]
balance = "{{balance}}"
server = [ {{servers}} ]
`

type oneOpts struct {
	client, server, httpRequest, queue string
	options                            string
	retries                            string
	balance                            string
	servers                            string
}

func startOne(t *testing.T, o oneOpts, opts ...Options) (*Proxy, string) {
	t.Helper()
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	repl := map[string]string{
		"client": def(o.client, "10s"), "server": def(o.server, "10s"), "http_request": def(o.httpRequest, "5s"),
		"queue": def(o.queue, "2s"), "options": o.options, "retries": def(o.retries, "0"),
		"balance": def(o.balance, "roundrobin"), "servers": o.servers,
	}
	return startProxy(t, oneBackend, "fe", repl, opts...)
}

func srvLine(name, addr string, extra string) string {
	return `{ name = "` + name + `", address = "` + addr + `"` + extra + ` },`
}

var errorPagesWant = map[int]string{
	400: "HTTP/1.1 400 Bad request\r\ncontent-length: 90\r\ncache-control: no-cache\r\nconnection: close\r\ncontent-type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n",
	408: "HTTP/1.1 408 Request Time-out\r\ncontent-length: 110\r\ncache-control: no-cache\r\nconnection: close\r\ncontent-type: text/html\r\n\r\n<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n",
	502: "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\nconnection: close\r\ncontent-type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n",
	503: "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\nconnection: close\r\ncontent-type: text/html\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n",
	504: "HTTP/1.1 504 Gateway Time-out\r\ncontent-length: 92\r\ncache-control: no-cache\r\nconnection: close\r\ncontent-type: text/html\r\n\r\n<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n",
}

func TestErrorPagesExact(t *testing.T) {
	for code, want := range errorPagesWant {
		if diff := cmp.Diff(want, string(errorResponse(code))); diff != "" {
			t.Errorf("%d (-want +got):\n%s", code, diff)
		}
	}
}

// readAll reads what the proxy sends until it closes.
func readAll(t *testing.T, c *proxytest.Client) string {
	t.Helper()
	_ = c.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, _ := io.ReadAll(c.R)
	return string(b)
}

func TestStrictFraming400(t *testing.T) {
	be := proxytest.NewBackend(t, "s1")
	_, addr := startOne(t, oneOpts{servers: srvLine("s1", be.Addr(), "")})
	cases := map[string]string{
		"CL and TE":          "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"conflicting CL":     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"bad CL":             "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\nabc",
		"non-chunked TE":     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
		"NUL in value":       "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n",
		"bare CR":            "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
		"space before colon": "GET / HTTP/1.1\r\nHost: a\r\nX : b\r\n\r\n",
		"bad request line":   "GET /\r\n\r\n",
		"oversized head":     "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 16000) + "\r\n\r\n",
		"bad chunk size":     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
		"multiple host":      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			c := proxytest.Dial(t, addr)
			c.Send(t, req)
			if got := readAll(t, c); got != errorPagesWant[400] {
				t.Errorf("got %q", got)
			}
		})
	}
	// obs-fold is unfolded and forwarded, as HAProxy 2.6 does (package h1).
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET /fold HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n")
	if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
		t.Errorf("obs-fold: status %d", resp.StatusCode)
	}
	// Nothing of it reached the server, except the head of the request
	// whose chunked body turned out bad (its head was valid).
	for _, s := range be.Seen() {
		if s.Method != "POST" && s.URI != "/fold" {
			t.Errorf("server received %s %s", s.Method, s.URI)
		}
	}
}

func TestTimeouts(t *testing.T) {
	slow := proxytest.NewBackend(t, "slow")
	release := make(chan struct{})
	slow.Handler = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	t.Cleanup(func() { close(release) })
	_, addr := startOne(t, oneOpts{server: "200ms", httpRequest: "200ms", servers: srvLine("slow", slow.Addr(), "")})

	t.Run("504 slow server", func(t *testing.T) {
		c := proxytest.Dial(t, addr)
		c.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if got := readAll(t, c); got != errorPagesWant[504] {
			t.Errorf("got %q", got)
		}
	})
	t.Run("408 slow client", func(t *testing.T) {
		c := proxytest.Dial(t, addr)
		c.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n")
		if got := readAll(t, c); got != errorPagesWant[408] {
			t.Errorf("got %q", got)
		}
	})
	t.Run("408 on a fresh connection that sends nothing", func(t *testing.T) {
		c := proxytest.Dial(t, addr)
		if got := readAll(t, c); got != errorPagesWant[408] {
			t.Errorf("got %q", got)
		}
	})
}

func TestIdleKeepAliveClosesSilently(t *testing.T) {
	be := proxytest.NewBackend(t, "s1")
	_, addr := startOne(t, oneOpts{httpRequest: "200ms", servers: srvLine("s1", be.Addr(), "")})
	c := proxytest.Dial(t, addr)
	c.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if _, resp, _ := c.Response(t, "GET"); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := readAll(t, c); got != "" {
		t.Errorf("idle keep-alive connection got %q, want a silent close", got)
	}
}

func TestNoServer503AndBadResponse502(t *testing.T) {
	// A port with nothing listening: connect refused → 503.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	bad := proxytest.NewRawServer(t, func(c net.Conn) {
		_, _ = proxytest.ReadHead(newReader(c))
		_, _ = c.Write([]byte("HTTP/1.1 abc\r\n\r\n"))
	})
	short := proxytest.NewRawServer(t, func(c net.Conn) {
		_, _ = proxytest.ReadHead(newReader(c))
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-"))
	})
	for _, tc := range []struct {
		name, addr string
		want       int
	}{{"refused", dead, 503}, {"garbage", bad.Addr(), 502}, {"truncated", short.Addr(), 502}} {
		t.Run(tc.name, func(t *testing.T) {
			_, addr := startOne(t, oneOpts{servers: srvLine("s", tc.addr, "")})
			c := proxytest.Dial(t, addr)
			c.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			if got := readAll(t, c); got != errorPagesWant[tc.want] {
				t.Errorf("got %q", got)
			}
		})
	}
	t.Run("no server at all", func(t *testing.T) {
		p, addr := startOne(t, oneOpts{servers: srvLine("s", dead, "")})
		if _, err := p.SetServerHealth("be", "s", false); err != nil {
			t.Fatal(err)
		}
		c := proxytest.Dial(t, addr)
		c.Send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if got := readAll(t, c); got != errorPagesWant[503] {
			t.Errorf("got %q", got)
		}
	})
}
