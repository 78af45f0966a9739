package proxy

import (
	"bufio"
	"net"
	goruntime "runtime"
	"strconv"
	"testing"

	"haappliance/proxy/h1"
	"haappliance/proxy/proxytest"
)

// fastServer is a raw keep-alive HTTP server answering every request with a
// fixed 2-byte body, so the benchmark measures the proxy, not net/http.
func fastServer(tb testing.TB) string {
	srv := proxytest.NewRawServer(tb, func(c net.Conn) {
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

// keepAliveClient starts the seed-like proxy (ACL routing, roundrobin,
// cookie insert, forwardfor) in front of fastServer and returns a function
// that sends one keep-alive request through it and reads the answer.
func keepAliveClient(tb testing.TB) func() {
	addr := fastServer(tb)
	repl := map[string]string{}
	for _, n := range []string{"ms1.srv1", "ms1.srv2", "ms2.srv1", "ms2.srv2", "def.srv1", "def.srv2"} {
		repl[n] = addr
	}
	_, paddr := startProxy(tb, seedConfig, "http-in", repl)
	c, err := net.Dial("tcp", paddr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	br := bufio.NewReaderSize(c, 4096)
	req := []byte("GET /ms1/index.html HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nAccept: */*\r\nCookie: HA_STICKY_ms1=ms1.srv1\r\n\r\n")
	return func() {
		if _, err := c.Write(req); err != nil {
			tb.Fatal(err)
		}
		cl := -1
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				tb.Fatal(err)
			}
			if len(line) <= 2 {
				break
			}
			if len(line) > 16 && (line[0] == 'c' || line[0] == 'C') && string(line[1:15]) == "ontent-length:" {
				cl, _ = strconv.Atoi(string(line[16 : len(line)-2]))
			}
		}
		if _, err := br.Discard(cl); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkProxyKeepAlive measures one keep-alive request through the
// seed-like path: client → proxy → raw backend over loopback.
func BenchmarkProxyKeepAlive(b *testing.B) {
	do := keepAliveClient(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		do()
	}
}

// TestProxyKeepAliveAllocatesNothing: a keep-alive request through the
// seed-like path allocates nothing, in the proxy or in the test's client
// and server (counted over the whole process, so a few background
// allocations of the runtime are tolerated: at most one per 20 requests).
func TestProxyKeepAliveAllocatesNothing(t *testing.T) {
	do := keepAliveClient(t)
	for i := 0; i < 100; i++ { // warm the pools and the server connection
		do()
	}
	const n = 2000
	var before, after goruntime.MemStats
	goruntime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		do()
	}
	goruntime.ReadMemStats(&after)
	if m := after.Mallocs - before.Mallocs; m > n/20 {
		t.Errorf("%d requests allocated %d times (%.2f per request), want none", n, m, float64(m)/n)
	}
}
