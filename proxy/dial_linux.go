package proxy

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// dialDirect opens a TCP session's server connection with the socket calls
// themselves when the server address is an IP literal (else through
// net.Dialer, see dial): socket, TCP_NODELAY, a non-blocking connect, and
// the runtime poller through an *os.File only when the handshake has not
// completed by then. On loopback and fast networks it has (the kernel
// processes the SYN-ACK before connect returns), so the goroutine does not
// park and wake for it, and no context, timer, address parsing or
// getsockname is spent per connection. The result is a *tcpConn, which
// the forwarding splices itself (tcp_splice_linux.go).
func (d *serverDialer) dialDirect(timeout time.Duration) (net.Conn, error) {
	if !d.ap.IsValid() {
		return d.dial(timeout)
	}
	c, err := dialTCPConn(d.ap, d.raddr, timeout, d.keepAlive)
	if err != nil {
		return nil, err // never a typed nil
	}
	return c, nil
}

// dialTCPConn connects to ap (raddr: the same as a *net.TCPAddr) within
// timeout (0: none); keepAlive sets SO_KEEPALIVE with the system's timers
// (HAProxy's option tcpka).
func dialTCPConn(ap netip.AddrPort, raddr *net.TCPAddr, timeout time.Duration, keepAlive bool) (*tcpConn, error) {
	opErr := func(call string, err error) error {
		if call != "" {
			err = os.NewSyscallError(call, err)
		}
		return &net.OpError{Op: "dial", Net: "tcp", Addr: raddr, Err: err}
	}
	family := unix.AF_INET
	if !ap.Addr().Is4() {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, opErr("socket", err)
	}
	// Go sets TCP_NODELAY on every TCP connection; so do we.
	if err := rawSetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		_ = unix.Close(fd)
		return nil, opErr("setsockopt", err)
	}
	if keepAlive {
		if err := rawSetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1); err != nil {
			_ = unix.Close(fd)
			return nil, opErr("setsockopt", err)
		}
	}
	for {
		err = rawConnect(fd, ap) // tcp_raw_linux.go
		if err != unix.EINTR {
			break
		}
	}
	connected := err == nil
	switch err {
	case nil, unix.EINPROGRESS, unix.EALREADY:
	default:
		_ = unix.Close(fd)
		return nil, opErr("connect", err)
	}
	if !connected {
		// getpeername succeeds once the handshake is over (the socket
		// left SYN_SENT), which is usual on loopback by now.
		_, perr := syscall.Getpeername(fd) // (x/sys/unix also probes SO_PROTOCOL)
		connected = perr == nil
	}
	c, err := newTCPConn(fd, raddr)
	if err != nil {
		return nil, opErr("", err)
	}
	f := c.f
	if connected {
		return c, nil
	}
	if timeout > 0 {
		_ = f.SetWriteDeadline(time.Now().Add(timeout))
	}
	var cerr error
	werr := c.rc.Write(func(s uintptr) bool {
		// As net's connect: writability ends the wait, SO_ERROR tells the
		// outcome; a wake-up while still connecting waits again.
		n, err := unix.GetsockoptInt(int(s), unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			cerr = os.NewSyscallError("getsockopt", err)
			return true
		}
		switch e := unix.Errno(n); e {
		case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
			return false
		case 0:
			_, err := syscall.Getpeername(int(s))
			return err == nil
		default:
			cerr = os.NewSyscallError("connect", e)
			return true
		}
	})
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = f.Close()
		return nil, opErr("", werr)
	}
	if timeout > 0 {
		_ = f.SetWriteDeadline(time.Time{})
	}
	return c, nil
}

// tcpConn is a connected TCP socket driven through an *os.File, which gives
// it the runtime poller (blocking reads and writes, deadlines) without a
// net.netFD. It behaves as a *net.TCPConn for the proxy: errors are
// *net.OpError, net.ErrClosed after Close, os.ErrDeadlineExceeded on a
// deadline; CloseWrite shuts the write half.
type tcpConn struct {
	f      *os.File
	rc     syscall.RawConn // f's, through tcpRawConn
	raddr  *net.TCPAddr
	closed atomic.Bool
}

// newTCPConn makes a *tcpConn of fd, a connected non-blocking TCP socket
// to raddr, which it then owns (closed on error too): the *os.File
// registers it with the runtime poller (one fcntl and one epoll_ctl).
func newTCPConn(fd int, raddr *net.TCPAddr) (*tcpConn, error) {
	f := os.NewFile(uintptr(fd), "")
	c := &tcpConn{f: f, raddr: raddr}
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	c.rc = &tcpRawConn{rc: rc, c: c}
	return c, nil
}

// peerTCPAddr is the peer address of the TCP socket fd, as a
// *net.TCPAddr (IPv4 in 4 bytes, as net gives it).
func peerTCPAddr(fd int) (*net.TCPAddr, error) {
	sa, err := syscall.Getpeername(fd)
	if err != nil {
		return nil, os.NewSyscallError("getpeername", err)
	}
	if a := sockaddrTCP(sa); a != nil {
		return a, nil
	}
	return nil, errors.New("proxy: not a TCP/IP socket")
}

// sockaddrTCP converts an AF_INET or AF_INET6 socket address (nil
// otherwise), as net does.
func sockaddrTCP(sa syscall.Sockaddr) *net.TCPAddr {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
	case *syscall.SockaddrInet6:
		a := &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
		if sa.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(sa.ZoneId)); err == nil {
				a.Zone = ifi.Name
			}
		}
		return a
	}
	return nil
}

// plainTCP gives c's socket access when c is a plain TCP connection: a
// *net.TCPConn as accepted, or a *tcpConn as a detached connection
// resumes (park_detach_linux.go); nil for TLS and other wrappers.
func plainTCP(c net.Conn) syscall.Conn {
	switch c := c.(type) {
	case *net.TCPConn:
		return c
	case *tcpConn:
		return c
	}
	return nil
}

// tcpRawConn is the RawConn of a *tcpConn: after Close its errors are
// net.ErrClosed, as a *net.TCPConn's (the *os.File's would be internal
// poll's "use of closed file").
type tcpRawConn struct {
	rc syscall.RawConn
	c  *tcpConn
}

func (r *tcpRawConn) err(err error) error {
	if err != nil && r.c.closed.Load() {
		return net.ErrClosed
	}
	return err
}

func (r *tcpRawConn) Control(f func(fd uintptr)) error    { return r.err(r.rc.Control(f)) }
func (r *tcpRawConn) Read(f func(fd uintptr) bool) error  { return r.err(r.rc.Read(f)) }
func (r *tcpRawConn) Write(f func(fd uintptr) bool) error { return r.err(r.rc.Write(f)) }

func (c *tcpConn) Read(b []byte) (int, error) {
	n, err := c.f.Read(b)
	return n, c.opError("read", err)
}

func (c *tcpConn) Write(b []byte) (int, error) {
	n, err := c.f.Write(b)
	return n, c.opError("write", err)
}

func (c *tcpConn) Close() error {
	c.closed.Store(true)
	return c.opError("close", c.f.Close())
}

// CloseWrite shuts down the writing side (a FIN to the peer).
func (c *tcpConn) CloseWrite() error {
	var serr error
	if err := c.rc.Control(func(s uintptr) { serr = rawShutdownWrite(int(s)) }); err != nil {
		return c.opError("close", err)
	}
	if serr != nil {
		serr = os.NewSyscallError("shutdown", serr)
	}
	return c.opError("close", serr)
}

// LocalAddr asks the kernel: a server connection's is of no use to the
// proxy; a resumed client connection's is the PROXY header's destination
// (send-proxy).
func (c *tcpConn) LocalAddr() net.Addr {
	var a *net.TCPAddr
	_ = c.rc.Control(func(s uintptr) {
		if sa, err := syscall.Getsockname(int(s)); err == nil {
			a = sockaddrTCP(sa)
		}
	})
	if a == nil {
		return nil // not a typed nil
	}
	return a
}

func (c *tcpConn) RemoteAddr() net.Addr { return c.raddr }

func (c *tcpConn) SetDeadline(t time.Time) error      { return c.f.SetDeadline(t) }
func (c *tcpConn) SetReadDeadline(t time.Time) error  { return c.f.SetReadDeadline(t) }
func (c *tcpConn) SetWriteDeadline(t time.Time) error { return c.f.SetWriteDeadline(t) }

// SyscallConn gives the socket (socketFailed, the splice loop).
func (c *tcpConn) SyscallConn() (syscall.RawConn, error) { return c.rc, nil }

// opError gives err the form net's connections use: the system call error
// or deadline inside a *net.OpError, net.ErrClosed for a closed
// connection, io.EOF and nil unchanged.
func (c *tcpConn) opError(op string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	if errors.Is(err, os.ErrClosed) {
		err = net.ErrClosed
	} else if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
		if se, ok := err.(syscall.Errno); ok {
			err = os.NewSyscallError(op, se)
		}
	}
	return &net.OpError{Op: op, Net: "tcp", Addr: c.raddr, Err: err}
}
