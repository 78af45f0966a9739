// Command ceiling is the least an HTTP/1.1 keep-alive proxy written in Go
// can do per request on this machine, to measure what the language and its
// runtime allow, not to serve anyone: make bench's "ceiling" section runs it
// side by side with haproxy and haappliance behind the same nginx.
//
// It has no features. Each of -loops threads owns an epoll set, a
// SO_REUSEPORT listener on -listen and a pool of keep-alive connections to
// -backend; a client's bodiless request head is written to a pooled server
// connection, the server's answer (it must carry Content-Length) is relayed
// whole, and the next request of the client is read. No goroutine switches,
// no timers, no copies beyond one read and one write each way. Anything
// else (a request body, a chunked or close-delimited answer, an answer
// larger than 16 KiB, a write that would block) closes the client
// connection and is counted; the counts are printed at exit (SIGINT,
// SIGTERM) as "unsupported N closed M".
//
//	ceiling -listen 127.0.0.1:9010 -backend 127.0.0.1:9000 -loops 2
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

	"golang.org/x/sys/unix"
)

const bufSize = 16 << 10

// conn is a client or a server connection of one loop.
type conn struct {
	fd     int
	client bool
	peer   *conn  // the other side while a request is in flight
	buf    []byte // buf[:n] are bytes read and not yet used
	n      int
	need   int  // server: length of the answer being read, 0 before its head
	dead   bool // server: closed while in the idle pool
}

type loop struct {
	ep     int
	lfd    int
	back   unix.Sockaddr
	conns  map[int]*conn
	idle   []*conn
	unsup  *atomic.Int64
	closed *atomic.Int64
	crlf2  []byte
}

func main() {
	listen := flag.String("listen", "127.0.0.1:9010", "address:port to listen on")
	backend := flag.String("backend", "", "address:port of the HTTP server")
	loops := flag.Int("loops", runtime.GOMAXPROCS(0), "event loops (threads)")
	flag.Parse()
	la, err1 := netip.ParseAddrPort(*listen)
	ba, err2 := netip.ParseAddrPort(*backend)
	if err1 != nil || err2 != nil || *loops < 1 {
		fmt.Fprintln(os.Stderr, "usage: ceiling -listen ADDR:PORT -backend ADDR:PORT [-loops N]")
		os.Exit(2)
	}
	var unsup, closed atomic.Int64
	if err := start(la, ba, *loops, &unsup, &closed); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	fmt.Printf("unsupported %d closed %d\n", unsup.Load(), closed.Load())
}

func sockaddr(ap netip.AddrPort) (int, unix.Sockaddr) {
	if ap.Addr().Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// start opens the listeners and starts the loops.
func start(listen, backend netip.AddrPort, loops int, unsup, closed *atomic.Int64) error {
	fam, lsa := sockaddr(listen)
	_, bsa := sockaddr(backend)
	for i := 0; i < loops; i++ {
		lfd, err := unix.Socket(fam, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		_ = unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		if err := unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return err
		}
		if err := unix.Bind(lfd, lsa); err != nil {
			return err
		}
		if err := unix.Listen(lfd, 4096); err != nil {
			return err
		}
		ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			return err
		}
		l := &loop{ep: ep, lfd: lfd, back: bsa, conns: map[int]*conn{}, unsup: unsup, closed: closed,
			crlf2: []byte("\r\n\r\n")}
		if err := l.watch(lfd); err != nil {
			return err
		}
		go l.run()
	}
	return nil
}

func (l *loop) watch(fd int) error {
	return unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
}

func (l *loop) run() {
	runtime.LockOSThread()
	evs := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(l.ep, evs, -1)
		if err != nil {
			continue // EINTR
		}
		for _, ev := range evs[:n] {
			fd := int(ev.Fd)
			if fd == l.lfd {
				l.accept()
				continue
			}
			if c := l.conns[fd]; c != nil {
				if c.client {
					l.clientReadable(c)
				} else {
					l.serverReadable(c)
				}
			}
		}
	}
}

func (l *loop) accept() {
	for {
		fd, _, err := unix.Accept4(l.lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err != nil {
			return
		}
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		c := &conn{fd: fd, client: true, buf: make([]byte, bufSize)}
		l.conns[fd] = c
		if l.watch(fd) != nil {
			l.drop(c)
		}
	}
}

// drop closes c (and, for a client, the server connection serving it).
func (l *loop) drop(c *conn) {
	if p := c.peer; p != nil {
		p.peer = nil
		l.drop(p)
	}
	delete(l.conns, c.fd)
	_ = unix.Close(c.fd) // also leaves the epoll set
	if c.client {
		l.closed.Add(1)
	}
}

func (l *loop) unsupported(c *conn) {
	l.unsup.Add(1)
	l.drop(c)
}

func (l *loop) clientReadable(c *conn) {
	if c.n == len(c.buf) {
		l.unsupported(c) // head larger than the buffer
		return
	}
	r, err := unix.Read(c.fd, c.buf[c.n:])
	if err == unix.EAGAIN || err == unix.EINTR {
		return
	}
	if r <= 0 {
		l.drop(c)
		return
	}
	c.n += r
	if c.peer == nil {
		l.request(c)
	}
}

// request sends the client's next complete request head, if it has one.
func (l *loop) request(c *conn) {
	end := bytes.Index(c.buf[:c.n], l.crlf2)
	if end < 0 {
		return
	}
	end += 4
	head := c.buf[:end]
	if hasHeader(head, "content-length:") || hasHeader(head, "transfer-encoding:") {
		l.unsupported(c) // a request body
		return
	}
	s := l.server()
	if s == nil {
		l.drop(c)
		return
	}
	if w, err := unix.Write(s.fd, head); err != nil || w < len(head) {
		s.peer = nil
		l.drop(s)
		l.unsupported(c)
		return
	}
	c.n = copy(c.buf, c.buf[end:c.n])
	c.peer, s.peer = s, c
}

func (l *loop) server() *conn {
	for k := len(l.idle); k > 0; k-- {
		s := l.idle[k-1]
		l.idle = l.idle[:k-1]
		if !s.dead {
			return s
		}
	}
	fam := unix.AF_INET
	if _, ok := l.back.(*unix.SockaddrInet6); ok {
		fam = unix.AF_INET6
	}
	fd, err := unix.Socket(fam, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	// A blocking connect: on loopback it ends at once, and a pooled
	// connection serves many requests.
	if unix.Connect(fd, l.back) != nil || unix.SetNonblock(fd, true) != nil {
		_ = unix.Close(fd)
		return nil
	}
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	s := &conn{fd: fd, buf: make([]byte, bufSize)}
	l.conns[fd] = s
	if l.watch(fd) != nil {
		l.drop(s)
		return nil
	}
	return s
}

func (l *loop) serverReadable(s *conn) {
	c := s.peer
	if c == nil || s.n == len(s.buf) {
		if c != nil {
			s.peer, c.peer = nil, nil
			l.unsupported(c)
		}
		s.dead = true // an idle connection that spoke or closed, or an answer too large
		l.drop(s)
		return
	}
	r, err := unix.Read(s.fd, s.buf[s.n:])
	if err == unix.EAGAIN || err == unix.EINTR {
		return
	}
	if r <= 0 {
		l.drop(c) // and s
		return
	}
	s.n += r
	if s.need == 0 {
		end := bytes.Index(s.buf[:s.n], l.crlf2)
		if end < 0 {
			return
		}
		cl, ok := contentLength(s.buf[:end+2])
		if !ok {
			l.unsupported(c) // and s
			return
		}
		s.need = end + 4 + cl
	}
	if s.n < s.need {
		return
	}
	if s.n > s.need { // bytes after the answer
		l.unsupported(c)
		return
	}
	if w, err := unix.Write(c.fd, s.buf[:s.need]); err != nil || w < s.need {
		l.unsupported(c)
		return
	}
	s.n, s.need = 0, 0
	s.peer, c.peer = nil, nil
	l.idle = append(l.idle, s)
	l.request(c) // a pipelined request already read
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
