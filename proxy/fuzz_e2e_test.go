package proxy

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"haappliance/proxy/proxytest"
)

// FuzzClientBytes sends arbitrary bytes to an in-process proxy in front of
// an echo server: whatever arrives, the proxy answers with HTTP responses
// or closes, and never panics or hangs.
func FuzzClientBytes(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nCookie: SRV=s1|AAAAA|AAAAA; x\r\nExpect: 100-continue\r\n\r\n",
		"\r\n\r\nGET http://a/b?c HTTP/1.1\r\n\r\n",
	} {
		f.Add(s)
	}
	be := proxytest.NewBackend(f, "s1")
	cfg := `
[defaults]
mode = "http"
timeout = { connect = "1s", client = "300ms", server = "300ms", http_request = "300ms" }
option = ["forwardfor"]
[frontend.fe]
bind = ["127.0.0.1:0"]
default_backend = "be"
[backend.be]
cookie = { name = "SRV", indirect = true, nocache = true, maxidle = "1h" }
server = [ { name = "s1", address = "{{s1}}", cookie = "s1" } ]`
	_, addr := startProxy(f, cfg, "fe", map[string]string{"s1": be.Addr()})
	f.Fuzz(func(t *testing.T, in string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.WriteString(c, in)
		_ = c.(*net.TCPConn).CloseWrite()
		out, err := io.ReadAll(c)
		if err != nil && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("reading: %v", err)
		}
		if len(out) > 0 && !strings.HasPrefix(string(out), "HTTP/1.") {
			t.Fatalf("answer is not HTTP: %q", out)
		}
	})
}
