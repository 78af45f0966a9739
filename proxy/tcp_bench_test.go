package proxy

import (
	"io"
	"net"
	"testing"

	"haappliance/proxy/proxytest"
)

// BenchmarkTCPThroughput pushes 1 MiB per iteration through one tcp session
// to a server that discards it (spliced on Linux).
func BenchmarkTCPThroughput(b *testing.B) {
	sink := proxytest.NewRawServer(b, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	_, addr := startProxy(b, tcpListen(defaultTimeouts, `option = []`,
		`{ name = "s1", address = "`+sink.Addr()+`" }`), "tcp-in", nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	chunk := make([]byte, 1<<20)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTCPConnRate opens a session per iteration: connect, one byte
// each way through an echo server, close.
func BenchmarkTCPConnRate(b *testing.B) {
	echo := echoServer(b)
	_, addr := startProxy(b, tcpListen(defaultTimeouts, `option = []`,
		`{ name = "s1", address = "`+echo.Addr()+`" }`), "tcp-in", nil)
	buf := make([]byte, 1)
	b.ReportAllocs()
	for b.Loop() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		_ = c.Close()
	}
}
