package proxy

import (
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// sendHead writes a request head that no body byte follows yet (p.prefix)
// to the server and, on a plain TCP connection, waits until the server's
// answer is readable before returning, so that the read that follows
// finds bytes instead of failing with EAGAIN and waiting then.
//
// Why it is safe with Go's edge-triggered poller: a read first forgets any
// readiness recorded before it (the runtime resets it), so waiting without
// reading could miss bytes that arrived just before the wait. Here the
// write happens inside the read's callback, after that reset: the server
// answers only after it got the request, so its answer (or the reset of a
// connection it had closed) is a new event that wakes the wait. The wait
// is bounded by timeout server, armed here.
//
// A write that is short or would block finishes through p (with timeout
// server on the write), and the answer is then read the usual way. It
// saves one system call per request on the usual path (HAProxy reads a
// server only once epoll reports it readable).
func (cc *clientConn) sendHead(t *txn, p *pump) error {
	sc := t.sc
	if sc.raw == nil {
		if sc.raw = rawTCP(sc.Conn); sc.raw == nil { // not plain TCP (TLS)
			return p.flush()
		}
		sc.send.fn = sc.send.callback
	}
	s := &sc.send
	s.b, s.written, s.waiting, s.err = p.prefix, 0, false, nil
	sc.rdl.arm(sc.Conn, dlRead, time.Now(), t.be.t.Server.D())
	_ = sc.raw.Read(s.fn)
	b, written, werr := s.b, s.written, s.err
	s.b = nil
	// A failed wait (timeout server, a closed connection) is found again by
	// the read that follows, which reports it.
	switch {
	case s.waiting:
		p.prefix = nil
		return nil
	case werr == unix.EAGAIN:
		written = 0
	case werr != nil:
		p.prefix = nil
		return &pumpError{side: sideDst, err: &net.OpError{Op: "write", Net: "tcp", Source: sc.LocalAddr(), Addr: sc.RemoteAddr(), Err: os.NewSyscallError("write", werr)}}
	}
	p.prefix = b[max(written, 0):]
	return p.flush()
}

// headSend is sendHead's state, kept in the server connection with its
// callback bound once, so that a request allocates nothing for it.
type headSend struct {
	fn      func(fd uintptr) bool // callback, bound to this headSend
	b       []byte                // the head to write
	written int
	waiting bool // written whole; the callback now reports readability
	err     error
}

// callback is the raw read callback: the first call writes the head, the
// next one (the socket became readable) ends the wait.
func (s *headSend) callback(fd uintptr) bool {
	if s.waiting {
		return true // readable
	}
	for {
		s.written, s.err = unix.Write(int(fd), s.b)
		if s.err != unix.EINTR {
			break
		}
	}
	if s.err != nil || s.written < len(s.b) {
		return true
	}
	s.waiting = true
	return false
}
