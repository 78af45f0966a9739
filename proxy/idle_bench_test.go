package proxy

import (
	"net"
	goruntime "runtime"
	"testing"
	"time"

	"haappliance/proxy/proxytest"
)

// BenchmarkIdleConnMemory holds 2000 idle keep-alive client connections
// (one request served on each) and reports the Go heap and stack bytes
// they cost the proxy per connection, after a GC: the figure behind
// make bench's VmRSS per idle connection (which adds the process's
// allocator slack). The clients live in the same process; their own
// share (their sockets and buffers) is measured first and subtracted.
func BenchmarkIdleConnMemory(b *testing.B) {
	const n = 2000
	s1 := proxytest.NewBackend(b, "s1")
	p, addr := startProxy(b, idleConfig, "fe", map[string]string{"s1": s1.Addr(), "ka": "60s"})
	for range b.N {
		base := liveBytes()
		cs := make([]net.Conn, 0, n)
		for range n {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n")); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 512)
			if _, err := c.Read(buf); err != nil {
				b.Fatal(err)
			}
			cs = append(cs, c)
		}
		waitForB(b, func() bool { return p.parker.parkedCount() == n || goruntime.GOOS != "linux" })
		used := liveBytes() - base
		b.ReportMetric(float64(used)/n, "B/idle-conn")
		for _, c := range cs {
			_ = c.Close()
		}
		waitForB(b, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return len(p.conns) == 0 })
	}
}

func liveBytes() int64 {
	goruntime.GC()
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return int64(m.HeapAlloc + m.StackInuse)
}

func waitForB(b *testing.B, cond func() bool) {
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Fatal("timed out")
}
