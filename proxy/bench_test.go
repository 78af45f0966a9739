package proxy

import (
	"bufio"
	"net"
	"strconv"
	"testing"

	"haappliance/proxy/h1"
	"haappliance/proxy/proxytest"
)

// fastServer is a raw keep-alive HTTP server answering every request with a
// fixed 2-byte body, so the benchmark measures the proxy, not net/http.
func fastServer(b *testing.B) string {
	srv := proxytest.NewRawServer(b, func(c net.Conn) {
		buf := make([]byte, 16384)
		var req h1.Request
		r, w := 0, 0
		resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
		for {
			n, err := h1.ParseRequest(buf[r:w], &req, h1.DefaultLimits)
			if err == nil {
				r += n
				if _, err := c.Write(resp); err != nil {
					return
				}
				continue
			}
			if r > 0 {
				w = copy(buf, buf[r:w])
				r = 0
			}
			k, err := c.Read(buf[w:])
			if err != nil {
				return
			}
			w += k
		}
	})
	return srv.Addr()
}

// BenchmarkProxyKeepAlive measures one keep-alive request through the
// seed-like path (ACL routing, roundrobin, cookie insert, forwardfor):
// client → proxy → raw backend over loopback.
func BenchmarkProxyKeepAlive(b *testing.B) {
	addr := fastServer(b)
	repl := map[string]string{}
	for _, n := range []string{"ms1.srv1", "ms1.srv2", "ms2.srv1", "ms2.srv2", "def.srv1", "def.srv2"} {
		repl[n] = addr
	}
	_, paddr := startProxy(b, seedConfig, "http-in", repl)
	c, err := net.Dial("tcp", paddr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 4096)
	req := []byte("GET /ms1/index.html HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nAccept: */*\r\nCookie: HA_STICKY_ms1=ms1.srv1\r\n\r\n")
	readResp := func() {
		cl := -1
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if len(line) <= 2 {
				break
			}
			if len(line) > 16 && (line[0] == 'c' || line[0] == 'C') && string(line[1:15]) == "ontent-length:" {
				cl, _ = strconv.Atoi(string(line[16 : len(line)-2]))
			}
		}
		if _, err := br.Discard(cl); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		readResp()
	}
}
