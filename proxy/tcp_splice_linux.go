package proxy

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// splicePipeSize is the pipe buffer asked for (Go's own splice uses the
// same 1 MiB, the default limit of /proc/sys/fs/pipe-max-size); a smaller
// pipe only costs more system calls.
const splicePipeSize = 1 << 20

// splicePipe is the kernel buffer of one spliced direction. It is created
// when the direction switches to splice (the first read that fills the
// user-space buffer), so sessions of small exchanges never pay for it, and
// closed when the direction ends.
type splicePipe struct {
	r, w int
	data int // bytes in the pipe
	// fill and drain are the RawConn callbacks of spliceConns, made once
	// per pipe rather than once per call; n and err are their results.
	fill, drain func(fd uintptr) bool
	n           int64
	err         error
}

func newSplicePipe() (*splicePipe, error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, os.NewSyscallError("pipe2", err)
	}
	_, _ = unix.FcntlInt(uintptr(fds[0]), unix.F_SETPIPE_SZ, splicePipeSize)
	p := &splicePipe{r: fds[0], w: fds[1]}
	p.fill = func(fd uintptr) bool { return p.splice(int(fd), p.w, splicePipeSize) }
	p.drain = func(fd uintptr) bool { return p.splice(p.r, int(fd), p.data) }
	return p, nil
}

// splice moves up to max bytes from in to out without blocking; false
// (wait for the socket) on EAGAIN.
func (p *splicePipe) splice(in, out, max int) bool {
	for {
		p.n, p.err = unix.Splice(in, nil, out, nil, max, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
		if p.err != unix.EINTR {
			return p.err != unix.EAGAIN
		}
	}
}

func (p *splicePipe) close() {
	_ = unix.Close(p.r)
	_ = unix.Close(p.w)
}

// rawTCP returns the socket of a TCP connection this package can splice:
// a *net.TCPConn or a *tcpConn.
func rawTCP(c net.Conn) syscall.RawConn {
	var rc syscall.RawConn
	switch c := c.(type) {
	case *tcpConn:
		rc = c.rc
	case *net.TCPConn:
		rc, _ = c.SyscallConn()
	}
	return rc
}

// spliceConns moves bytes from src to dst through p until src's EOF (nil
// error) or an error: a deadline of src (its read deadline, while the pipe
// is empty) or dst (its write deadline, while the pipe is drained), or a
// failed splice, tagged with its side. It is Go's own splice loop
// (internal/poll: spliceDrain, splicePump) over the sockets' RawConn, which
// applies their deadlines: the pipe is filled from src only when empty,
// then emptied into dst. Bytes left in the pipe by an error are lost with
// the session, which that error ends.
func spliceConns(dst, src syscall.RawConn, p *splicePipe) (int64, error) {
	var written int64
	for {
		p.n, p.err = 0, nil
		err := src.Read(p.fill)
		if err == nil && p.err != nil {
			err = os.NewSyscallError("splice", p.err)
		}
		if err != nil {
			return written, &sideError{err: closedErr(err)}
		}
		if p.n == 0 {
			return written, nil // EOF
		}
		p.data += int(p.n)
		for p.data > 0 {
			p.n, p.err = 0, nil
			err := dst.Write(p.drain)
			if err == nil && p.err != nil {
				err = os.NewSyscallError("splice", p.err)
			}
			if p.n > 0 {
				p.data -= int(p.n)
				written += p.n
			} else if err == nil {
				err = io.ErrNoProgress // a pipe with data gave none: never seen
			}
			if err != nil {
				return written, &sideError{write: true, err: closedErr(err)}
			}
		}
	}
}

// closedErr reports the use of a closed *os.File (a *tcpConn's socket) as
// net.ErrClosed, as for a *net.TCPConn.
func closedErr(err error) error {
	if errors.Is(err, os.ErrClosed) {
		return net.ErrClosed
	}
	return err
}
