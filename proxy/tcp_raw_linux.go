package proxy

import (
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls of the L4 fast path on non-blocking sockets go through
// unix.RawSyscall: they never block, but on loopback and in a busy kernel
// they run the peer's receive path inline (a connect processes the
// handshake, a shutdown the FIN) and take tens of microseconds. Through
// syscall.Syscall, the runtime marks the goroutine's P as in a system call
// (entersyscall/exitsyscall), wakes sysmon when it sleeps, and sysmon
// hands the P to another thread when the call lasts over 20 µs while work
// waits: thread wake-ups and context switches on every connection. A raw
// call keeps its P, which is right for a call that cannot block (the cost:
// a stop-the-world of the GC waits for it, tens of microseconds at most).

// rawConnect starts a non-blocking connect to ap, an address with no zone
// (newServerDialer sends zoned ones through net.Dialer).
func rawConnect(fd int, ap netip.AddrPort) error {
	var e syscall.Errno
	if ap.Addr().Is4() {
		sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: ap.Addr().As4()}
		sa.Port = htons(ap.Port())
		_, _, e = unix.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa)), unix.SizeofSockaddrInet4)
	} else {
		sa := unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: ap.Addr().As16()}
		sa.Port = htons(ap.Port())
		_, _, e = unix.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa)), unix.SizeofSockaddrInet6)
	}
	if e != 0 {
		return e
	}
	return nil
}

// htons gives a port in network byte order, as the sockaddr's field holds it.
func htons(p uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&p))
	b[0], b[1] = byte(p>>8), byte(p)
	return p
}

// rawSetsockoptInt sets an int socket option.
func rawSetsockoptInt(fd, level, opt, v int) error {
	iv := int32(v)
	_, _, e := unix.RawSyscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(unsafe.Pointer(&iv)), 4, 0)
	if e != 0 {
		return e
	}
	return nil
}

// rawShutdownWrite sends the FIN.
func rawShutdownWrite(fd int) error {
	_, _, e := unix.RawSyscall(unix.SYS_SHUTDOWN, uintptr(fd), unix.SHUT_WR, 0)
	if e != 0 {
		return e
	}
	return nil
}

// tcpCloseWrite half-closes a TCP connection with a raw shutdown through
// its socket rc (rawTCP); other connections as closeWrite does.
func tcpCloseWrite(c net.Conn, rc syscall.RawConn) {
	if rc == nil {
		closeWrite(c)
		return
	}
	_ = rc.Control(func(fd uintptr) { _ = rawShutdownWrite(int(fd)) })
}

// rawIO is the buffered copy's raw read(2) and write(2) through the
// sockets' RawConn, which waits for readiness and applies the deadlines as
// net's Read and Write do. Its callback is made once per direction.
type rawIO struct {
	fn     func(fd uintptr) bool
	write  bool // fn writes b[off:] rather than reading into b
	b      []byte
	off, n int
	err    error
}

func (r *rawIO) setup() {
	r.fn = func(fd uintptr) bool {
		if r.write {
			return r.writeFD(fd)
		}
		return r.readFD(fd)
	}
}

func (r *rawIO) readFD(fd uintptr) bool {
	for {
		n, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(r.b))), uintptr(len(r.b)))
		switch e {
		case 0:
			r.n = int(n)
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		r.err = os.NewSyscallError("read", e)
		return true
	}
}

func (r *rawIO) writeFD(fd uintptr) bool {
	for r.off < len(r.b) {
		n, _, e := unix.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&r.b[r.off])), uintptr(len(r.b)-r.off))
		switch e {
		case 0:
			if n == 0 {
				r.err = io.ErrShortWrite // never seen on a socket
				return true
			}
			r.off += int(n)
			continue
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		r.err = os.NewSyscallError("write", e)
		return true
	}
	return true
}

// read reads src into st.buf: (0, io.EOF) at its end.
func (st *copyState) read(src net.Conn) (int, error) {
	if st.sr == nil {
		return src.Read(st.buf)
	}
	r := &st.rio
	if r.fn == nil {
		r.setup()
	}
	r.write, r.b, r.n, r.err = false, st.buf, 0, nil
	err := st.sr.Read(r.fn)
	if err == nil {
		err = r.err
	}
	r.b = nil
	switch {
	case err != nil:
		return 0, closedErr(err)
	case r.n == 0:
		return 0, io.EOF
	}
	return r.n, nil
}

// write writes st.buf[:n] to dst, all of it unless an error comes first.
func (st *copyState) write(dst net.Conn, n int) (int, error) {
	if st.dr == nil {
		return dst.Write(st.buf[:n])
	}
	r := &st.rio
	if r.fn == nil {
		r.setup()
	}
	r.write, r.b, r.off, r.err = true, st.buf[:n], 0, nil
	err := st.dr.Write(r.fn)
	if err == nil {
		err = r.err
	}
	r.b = nil
	return r.off, closedErr(err)
}
