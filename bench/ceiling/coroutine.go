//go:build linux

package main

import (
	"io"
	"iter"

	"golang.org/x/sys/unix"
)

// coLoop is an epoll thread whose client connections each run relay as a
// coroutine (iter.Pull): a read that would block, or relay's wait, yields
// the socket to wait on, and the loop resumes the coroutine when epoll
// reports it readable. Interest is level-triggered, so waiting without a
// read first is safe; a socket readable while nobody waits on it is
// disarmed until someone does.
type coLoop struct {
	ep, lfd int
	back    unix.Sockaddr
	n       *counts
	fds     map[int]*coFD
	idle    []*coFD // pooled server connections
}

// coFD is a socket of a coLoop, and the stream relay reads and writes.
type coFD struct {
	l      *coLoop
	fd     int
	armed  bool                 // EPOLLIN interest is on
	next   func() (*coFD, bool) // the coroutine waiting on it, if any
	yield  func(*coFD) bool     // of the coroutine using it
	server bool                 // a server connection
	pooled bool                 // in the idle pool
	closed bool
}

func (l *coLoop) run() { runEpoll(l.ep, l.lfd, l.accepted, l.ready) }

func (l *coLoop) ready(fd int) {
	f := l.fds[fd]
	switch {
	case f == nil:
	case f.next != nil:
		next := f.next
		f.next = nil
		l.resume(next)
	case f.pooled: // an idle server connection spoke or closed
		f.Close()
	default: // readable while its coroutine waits elsewhere
		f.armed = false
		_ = unix.EpollCtl(l.ep, unix.EPOLL_CTL_MOD, fd, &unix.EpollEvent{Fd: int32(fd)})
	}
}

// resume runs a coroutine until it waits again (or ends).
func (l *coLoop) resume(next func() (*coFD, bool)) {
	w, ok := next()
	if !ok {
		return
	}
	w.next = next
	if !w.armed {
		w.armed = true
		_ = unix.EpollCtl(l.ep, unix.EPOLL_CTL_MOD, w.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(w.fd)})
	}
}

func (l *coLoop) add(fd int) *coFD {
	f := &coFD{l: l, fd: fd, armed: true}
	l.fds[fd] = f
	if unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}) != nil {
		f.Close()
		return nil
	}
	return f
}

// accepted starts a client connection's coroutine.
func (l *coLoop) accepted(fd int) {
	c := l.add(fd)
	if c == nil {
		return
	}
	next, _ := iter.Pull(func(yield func(*coFD) bool) {
		c.yield = yield
		relay(c, &coServers{l: l, yield: yield}, l.n, coWait)
	})
	l.resume(next)
}

// coWait waits for s to be readable: the coroutine yields it.
func coWait(s stream) error {
	f := s.(*coFD)
	if !f.yield(f) {
		return io.EOF
	}
	return nil
}

func (f *coFD) Read(b []byte) (int, error) {
	for {
		n, err := unix.Read(f.fd, b)
		switch {
		case err == unix.EAGAIN:
			if !f.yield(f) {
				return 0, io.EOF
			}
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes what the socket takes now; relay counts a short write.
func (f *coFD) Write(b []byte) (int, error) {
	n, err := unix.Write(f.fd, b)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (f *coFD) Close() error {
	if !f.closed {
		f.closed = true
		delete(f.l.fds, f.fd)
		return unix.Close(f.fd) // also leaves the epoll set
	}
	return nil
}

// coServers is a coroutine's view of its loop's server pool.
type coServers struct {
	l     *coLoop
	yield func(*coFD) bool
}

func (p *coServers) get() (stream, error) {
	l := p.l
	for k := len(l.idle); k > 0; k-- {
		s := l.idle[k-1]
		l.idle = l.idle[:k-1]
		if !s.closed {
			s.pooled, s.yield = false, p.yield
			return s, nil
		}
	}
	fd, err := dialBackend(l.back)
	if err != nil {
		return nil, err
	}
	s := l.add(fd)
	if s == nil {
		return nil, io.ErrClosedPipe
	}
	s.server, s.yield = true, p.yield
	return s, nil
}

func (p *coServers) put(st stream) {
	s := st.(*coFD)
	s.pooled, s.yield = true, nil
	p.l.idle = append(p.l.idle, s)
}
