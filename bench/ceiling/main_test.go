//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// backend answers every request head with a 2-byte body, keep-alive.
func backend(t *testing.T) netip.AddrPort {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if line == "\r\n" {
						if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return netip.MustParseAddrPort(ln.Addr().String())
}

func freePort(t *testing.T) netip.AddrPort {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return netip.MustParseAddrPort(ln.Addr().String())
}

// TestRelaysKeepAliveAndPipelinedRequests: in every mode, sequential and
// pipelined requests on one connection each get their answer in order; a
// request with a body closes the connection and is counted as unsupported.
func TestRelaysKeepAliveAndPipelinedRequests(t *testing.T) {
	back := backend(t)
	for _, mode := range []string{"loop", "goroutine", "coroutine"} {
		t.Run(mode, func(t *testing.T) { testRelay(t, mode, back) })
	}
	if err := start("nope", freePort(t), back, 1, new(counts)); err == nil {
		t.Error("unknown mode accepted")
	}
}

func testRelay(t *testing.T, mode string, back netip.AddrPort) {
	var n counts
	addr := freePort(t)
	if err := start(mode, addr, back, 2, &n); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	const req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	const resp = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	got := make([]byte, len(resp)*3)
	for i := 0; i < 3; i++ {
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, got[:len(resp)]); err != nil || string(got[:len(resp)]) != resp {
			t.Fatalf("request %d: %q, %v", i, got[:len(resp)], err)
		}
	}
	if _, err := io.WriteString(c, strings.Repeat(req, 3)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, got); err != nil || string(got) != strings.Repeat(resp, 3) {
		t.Fatalf("pipelined: %q, %v", got, err)
	}
	if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(got); err == nil {
		t.Fatalf("request with a body: read %q, want the connection closed", got[:n])
	}
	if n.unsup.Load() != 1 {
		t.Errorf("unsupported = %d, want 1", n.unsup.Load())
	}
}

func TestContentLength(t *testing.T) {
	for _, tc := range []struct {
		head string
		n    int
		ok   bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 34\r\n", 34, true},
		{"HTTP/1.1 200 OK\r\nServer: x\r\ncontent-length:0\r\n", 0, true},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n", 0, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n", -1, false},
	} {
		n, ok := contentLength([]byte(tc.head))
		if ok != tc.ok || (ok && n != tc.n) {
			t.Errorf("%q: %d %v, want %d %v", tc.head, n, ok, tc.n, tc.ok)
		}
	}
}
