//go:build linux

package main

import (
	"bytes"
	"net/netip"
	"runtime"

	"golang.org/x/sys/unix"
)

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
	ep    int
	lfd   int
	back  unix.Sockaddr
	conns map[int]*conn
	idle  []*conn
	n     *counts
}

func sockaddr(ap netip.AddrPort) (int, unix.Sockaddr) {
	if ap.Addr().Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// dialBackend opens a non-blocking TCP_NODELAY connection to back. The
// connect itself blocks: on loopback it ends at once, and a pooled
// connection serves many requests.
func dialBackend(back unix.Sockaddr) (int, error) {
	fam := unix.AF_INET
	if _, ok := back.(*unix.SockaddrInet6); ok {
		fam = unix.AF_INET6
	}
	fd, err := unix.Socket(fam, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err = unix.Connect(fd, back); err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		_ = unix.Close(fd)
		return -1, err
	}
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	return fd, nil
}

// reuseportListener opens one of the SO_REUSEPORT listeners on listen.
func reuseportListener(listen netip.AddrPort) (int, error) {
	fam, lsa := sockaddr(listen)
	lfd, err := unix.Socket(fam, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	_ = unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	if err = unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err == nil {
		if err = unix.Bind(lfd, lsa); err == nil {
			err = unix.Listen(lfd, 4096)
		}
	}
	if err != nil {
		_ = unix.Close(lfd)
		return -1, err
	}
	return lfd, nil
}

// startLoops starts loops epoll threads, each with its listener, running
// state machines or (coroutine) relay as coroutines.
func startLoops(listen, backend netip.AddrPort, loops int, n *counts, coroutine bool) error {
	_, bsa := sockaddr(backend)
	for i := 0; i < loops; i++ {
		lfd, err := reuseportListener(listen)
		if err != nil {
			return err
		}
		ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			return err
		}
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, lfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(lfd)}); err != nil {
			return err
		}
		if coroutine {
			l := &coLoop{ep: ep, lfd: lfd, back: bsa, n: n, fds: map[int]*coFD{}}
			go l.run()
			continue
		}
		l := &loop{ep: ep, lfd: lfd, back: bsa, conns: map[int]*conn{}, n: n}
		go l.run()
	}
	return nil
}

func (l *loop) watch(fd int) error {
	return unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
}

// runEpoll is an event loop's thread, for both shapes that have one: it
// waits on ep and accepts every pending connection of the listener lfd
// (non-blocking, TCP_NODELAY) into accepted, or reports another readable
// descriptor to ready.
func runEpoll(ep, lfd int, accepted, ready func(fd int)) {
	runtime.LockOSThread()
	evs := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(ep, evs, -1)
		if err != nil {
			continue // EINTR
		}
		for _, ev := range evs[:n] {
			if fd := int(ev.Fd); fd != lfd {
				ready(fd)
				continue
			}
			for {
				fd, _, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
				if err != nil {
					break
				}
				_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
				accepted(fd)
			}
		}
	}
}

func (l *loop) run() { runEpoll(l.ep, l.lfd, l.accepted, l.ready) }

func (l *loop) ready(fd int) {
	if c := l.conns[fd]; c != nil {
		if c.client {
			l.clientReadable(c)
		} else {
			l.serverReadable(c)
		}
	}
}

func (l *loop) accepted(fd int) {
	c := &conn{fd: fd, client: true, buf: make([]byte, bufSize)}
	l.conns[fd] = c
	if l.watch(fd) != nil {
		l.drop(c)
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
		l.n.closed.Add(1)
	}
}

func (l *loop) unsupported(c *conn) {
	l.n.unsup.Add(1)
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
	end := bytes.Index(c.buf[:c.n], crlf2)
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
	fd, err := dialBackend(l.back)
	if err != nil {
		return nil
	}
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
		end := bytes.Index(s.buf[:s.n], crlf2)
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
