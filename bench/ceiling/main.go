//go:build linux

// Command ceiling is the least an HTTP/1.1 keep-alive proxy written in Go
// can do per request on this machine, in three shapes, to measure what the
// language and its runtime allow, not to serve anyone: make bench's
// "ceiling" section runs it side by side with haproxy and haappliance
// behind the same nginx.
//
// It has no features: a client's bodiless request head is written to a
// pooled keep-alive server connection, the server's answer (it must carry
// Content-Length and fit in 16 KiB) is relayed whole, and the next request
// of the client is read. Anything else (a request body, a chunked or
// close-delimited answer, a larger one, a write that would block) closes
// the client connection and is counted; the counts are printed at exit
// (SIGINT, SIGTERM) as "unsupported N closed M". The shapes (-mode):
//
//   - loop: one epoll set per thread (-loops), SO_REUSEPORT listeners,
//     state machines, no goroutine switches (as haproxy).
//
//   - goroutine: one goroutine per client connection with blocking reads
//     and writes on net.Conn, the Go runtime's poller (as haappliance).
//
//   - coroutine: the goroutine shape's code, run as iter.Pull coroutines
//     that the loop shape's epoll threads resume when their socket is ready.
//
//     ceiling -listen 127.0.0.1:9010 -backend 127.0.0.1:9000 -mode loop
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
)

const bufSize = 16 << 10

// counts are the connections closed, and among them those the tool could
// not serve.
type counts struct {
	unsup, closed atomic.Int64
}

func main() {
	listen := flag.String("listen", "127.0.0.1:9010", "address:port to listen on")
	backend := flag.String("backend", "", "address:port of the HTTP server")
	mode := flag.String("mode", "loop", "loop, goroutine or coroutine")
	loops := flag.Int("loops", runtime.GOMAXPROCS(0), "event loops (threads) of the loop and coroutine modes")
	flag.Parse()
	la, err1 := netip.ParseAddrPort(*listen)
	ba, err2 := netip.ParseAddrPort(*backend)
	if err1 != nil || err2 != nil || *loops < 1 {
		fmt.Fprintln(os.Stderr, "usage: ceiling -listen ADDR:PORT -backend ADDR:PORT [-mode loop|goroutine|coroutine] [-loops N]")
		os.Exit(2)
	}
	var n counts
	if err := start(*mode, la, ba, *loops, &n); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	fmt.Printf("unsupported %d closed %d\n", n.unsup.Load(), n.closed.Load())
}

// start listens on listen and serves in the given mode, in the background.
func start(mode string, listen, backend netip.AddrPort, loops int, n *counts) error {
	switch mode {
	case "loop":
		return startLoops(listen, backend, loops, n, false)
	case "coroutine":
		return startLoops(listen, backend, loops, n, true)
	case "goroutine":
		return startGoroutines(listen, backend, n)
	}
	return fmt.Errorf("unknown mode %q", mode)
}

var crlf2 = []byte("\r\n\r\n")

// errUnsupported ends a connection the tool cannot serve.
var errUnsupported = fmt.Errorf("unsupported")

// stream is a connection as relay sees it.
type stream interface {
	Read(b []byte) (int, error)
	Write(b []byte) (int, error)
	Close() error
}

// servers hands out keep-alive server connections.
type servers interface {
	get() (stream, error)
	put(stream)
}

// relay serves one client connection until it ends, blocking style: read
// a request head, send it, read the whole answer, write it. An error that
// is errUnsupported counts. wait (nil: none) is called before a read that
// expects no byte yet, to wait for readability without a read first.
func relay(c stream, pool servers, n *counts, wait func(stream) error) {
	defer n.closed.Add(1)
	defer c.Close()
	buf := make([]byte, bufSize)
	res := make([]byte, bufSize)
	r := 0
	fail := func(err error) {
		if err == errUnsupported {
			n.unsup.Add(1)
		}
	}
	for {
		end := bytes.Index(buf[:r], crlf2)
		for end < 0 {
			if r == len(buf) {
				fail(errUnsupported)
				return
			}
			if r == 0 && wait != nil {
				if err := wait(c); err != nil {
					return
				}
			}
			k, err := c.Read(buf[r:])
			if err != nil {
				return
			}
			r += k
			end = bytes.Index(buf[:r], crlf2)
		}
		end += 4
		if hasHeader(buf[:end], "content-length:") || hasHeader(buf[:end], "transfer-encoding:") {
			fail(errUnsupported) // a request body
			return
		}
		s, err := pool.get()
		if err != nil {
			return
		}
		if k, err := s.Write(buf[:end]); err != nil || k < end {
			s.Close()
			fail(errUnsupported)
			return
		}
		r = copy(buf, buf[end:r])
		m, need := 0, 0
		for need == 0 || m < need {
			if m == len(res) {
				s.Close()
				fail(errUnsupported)
				return
			}
			if m == 0 && wait != nil {
				if err := wait(s); err != nil {
					s.Close()
					return
				}
			}
			k, err := s.Read(res[m:])
			if err != nil {
				s.Close()
				return
			}
			m += k
			if need == 0 {
				if e := bytes.Index(res[:m], crlf2); e >= 0 {
					cl, ok := contentLength(res[:e+2])
					if !ok {
						s.Close()
						fail(errUnsupported)
						return
					}
					need = e + 4 + cl
				}
			}
		}
		if m > need { // bytes after the answer
			s.Close()
			fail(errUnsupported)
			return
		}
		pool.put(s)
		if k, err := c.Write(res[:need]); err != nil || k < need {
			fail(errUnsupported)
			return
		}
	}
}

// hasHeader reports whether the head has a header named name (lower case,
// with its colon).
func hasHeader(head []byte, name string) bool {
	for i := bytes.IndexByte(head, '\n'); i >= 0 && i+1 < len(head); {
		line := head[i+1:]
		if len(line) >= len(name) && bytes.EqualFold(line[:len(name)], []byte(name)) {
			return true
		}
		j := bytes.IndexByte(line, '\n')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// contentLength finds Content-Length in a response head ending in CRLF.
func contentLength(head []byte) (int, bool) {
	for i := bytes.IndexByte(head, '\n'); i >= 0 && i+1 < len(head); {
		line := head[i+1:]
		j := bytes.IndexByte(line, '\n')
		if j < 0 {
			break
		}
		const name = "content-length:"
		if j > len(name) && bytes.EqualFold(line[:len(name)], []byte(name)) {
			v, err := strconv.Atoi(string(bytes.TrimSpace(line[len(name):j])))
			return v, err == nil && v >= 0
		}
		i += 1 + j
	}
	return 0, false
}
