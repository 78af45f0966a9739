package proxy

import (
	"net"

	"golang.org/x/sys/unix"
)

// detach turns the attached connection on fd into a parked record: its
// descriptor is duplicated into the epoll set, the net.Conn closed and the
// clientConn dropped from p.conns. p.mu and pk.mu held. False when the
// descriptor could not be duplicated or registered (nothing changed).
func (pk *parker) detach(fd int) bool {
	e := pk.byFD[fd]
	cc := e.cc
	nfd := -1
	var derr error
	if err := cc.raw.Control(func(s uintptr) { nfd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil || derr != nil {
		return false
	}
	// Register the copy before the original leaves: bytes that arrived in
	// between make the new registration ready at once (epoll_ctl checks
	// readiness when it adds a descriptor).
	ev := unix.EpollEvent{Events: parkEvents, Fd: int32(nfd)}
	if err := unix.EpollCtl(pk.epfd, unix.EPOLL_CTL_ADD, nfd, &ev); err != nil {
		_ = unix.Close(nfd)
		return false
	}
	// The original must leave our set before it is closed: epoll forgets a
	// descriptor only when its last copy closes.
	pk.remove(fd)
	cc.parked = false
	_ = cc.conn.Close() // the runtime's netFD, pollDesc and timer go
	delete(cc.p.conns, cc)
	pk.grow(nfd)
	d := &pk.byFD[nfd]
	*d = parked{exp: e.exp, due: e.exp, hi: -1, nreq: int32(min(cc.nreq, 1<<31-1)), fe: cc.fe}
	if cc.logging() {
		d.t0 = cc.t0
	}
	pk.n++
	pk.nDet++
	pk.schedule(nfd)
	return true
}

// resumeDetached rebuilds the connection the parker detached (a parked
// record e and its descriptor fd) and serves it; the parker counted it in
// resuming until it is in p.conns. The connection is a *tcpConn on fd
// itself: getpeername, then the poller's fcntl and epoll_ctl (net.FileConn
// would duplicate fd and ask for its type and both addresses first).
func (p *Proxy) resumeDetached(fd int, e parked) {
	raddr, err := peerTCPAddr(fd)
	var c net.Conn
	if err == nil {
		c, err = newTCPConn(fd, raddr)
	} else {
		_ = unix.Close(fd)
	}
	if err != nil {
		p.parker.resuming.Add(-1)
		p.log.WithError(err).Debugf("frontend '%s': resuming an idle connection", e.fe.name)
		p.connDone(e.fe)
		return
	}
	cc := newClientConn(p, e.fe, c)
	cc.nreq = int(e.nreq)
	if !e.t0.IsZero() {
		cc.t0 = e.t0
	}
	cc.idle.Store(true)
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.conns[cc] = struct{}{}
	}
	p.mu.Unlock()
	p.parker.resuming.Add(-1)
	if closed { // Shutdown closes idle connections
		_ = c.Close()
		p.connDone(e.fe)
		return
	}
	p.runClient(cc)
}

// closeDetached closes every detached connection (Drain, Shutdown) and
// returns how many it closed.
func (pk *parker) closeDetached() int {
	if pk == nil {
		return 0
	}
	var fds []int
	var recs []parked
	pk.mu.Lock()
	for fd := range pk.byFD {
		if e := &pk.byFD[fd]; e.cc == nil && e.fe != nil {
			fds = append(fds, fd)
			recs = append(recs, pk.remove(fd))
		}
	}
	pk.mu.Unlock()
	for i, fd := range fds {
		pk.end(fd, &recs[i])
	}
	return len(fds)
}
