package proxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// tcpSide is one end of an established L4 session: the client or the
// server connection with its inactivity timeouts.
type tcpSide struct {
	conn net.Conn
	who  byte          // termClient or termServer
	to   time.Duration // inactivity timeout (0: none)
	fin  time.Duration // inactivity timeout once a direction is shut (0: to)
	last atomic.Int64  // unix nanoseconds of the last byte read from or written to it
}

// timeout is the side's inactivity timeout; half reports that one
// direction of the session is already shut (HAProxy's client-fin and
// server-fin apply then).
func (s *tcpSide) timeout(half bool) time.Duration {
	if half && s.fin > 0 {
		return s.fin
	}
	return s.to
}

// idle reports whether the side had no activity for its timeout.
func (s *tcpSide) idle(now time.Time, half bool) bool {
	to := s.timeout(half)
	return to > 0 && now.Sub(time.Unix(0, s.last.Load())) >= to
}

// tcpTunnel forwards bytes both ways between an established client and
// server connection, the way HAProxy's TCP mode does:
//
//   - one copy loop per direction (tcpCopyClientToServer,
//     tcpCopyServerToClient, so goroutine dumps read well); small exchanges
//     go through a pooled buffer, and once a direction carries bulk data
//     (a read fills the buffer) it is dst.ReadFrom(src) between two
//     *net.TCPConn, which the runtime turns into splice(2), so bytes never
//     enter user space (see copyOnce);
//   - the end of a direction (EOF) half-closes the other side's write half
//     and the other direction goes on: a client that shuts its write side
//     still gets the whole answer;
//   - a side is idle when no byte was read from it or written to it for its
//     timeout (activity in either direction refreshes it, as HAProxy without
//     independent-streams). The copy runs under a short read deadline (the
//     slice) so that progress can be observed without giving up splice; an
//     idle read side shuts that direction (term cD/sD) like an EOF would; a
//     write that makes no progress for the other side's timeout aborts the
//     session;
//   - a read or write error (reset) aborts both sides (term CD/SD).
//
// The first event that is not a normal end gives the termination state.
type tcpTunnel struct {
	cli, srv tcpSide
	half     atomic.Bool   // a direction has ended
	term     atomic.Uint32 // first abnormal end: who<<8 | phase; 0: none
	up, down atomic.Int64  // bytes client→server and server→client
	// onBytes, if set, is called as bytes move (counters); up reports the
	// direction. It runs on the copy goroutines.
	onBytes func(up bool, n int64)
}

// maxSlice bounds the read deadline slice: the precision of idle
// detection is at worst one slice, its cost one wake-up per slice and
// direction on a busy session.
const (
	maxSlice = time.Second
	minSlice = time.Millisecond
)

// run forwards until both directions have ended and returns the
// termination state ("--" when both ended normally). The caller closes
// both connections afterwards.
func (t *tcpTunnel) run() [2]byte {
	n := time.Now().UnixNano()
	t.cli.last.Store(n)
	t.srv.last.Store(n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tcpCopyServerToClient(t)
	}()
	tcpCopyClientToServer(t)
	wg.Wait()
	return t.termState()
}

func (t *tcpTunnel) termState() [2]byte {
	v := t.term.Load()
	if v == 0 {
		return [2]byte{termNone, phaseNone}
	}
	return [2]byte{byte(v >> 8), byte(v)}
}

// setTerm records the first abnormal end; it reports whether this was it.
func (t *tcpTunnel) setTerm(who, phase byte) bool {
	return t.term.CompareAndSwap(0, uint32(who)<<8|uint32(phase))
}

// abort records the termination state and closes both connections, which
// ends the other copy loop.
func (t *tcpTunnel) abort(who, phase byte) {
	t.setTerm(who, phase)
	_ = t.cli.conn.Close()
	_ = t.srv.conn.Close()
}

func tcpCopyClientToServer(t *tcpTunnel) { t.copyLoop(&t.cli, &t.srv, &t.up, true) }
func tcpCopyServerToClient(t *tcpTunnel) { t.copyLoop(&t.srv, &t.cli, &t.down, false) }

// lower is the timeout form of a side letter: 'C' → 'c', 'S' → 's'.
func lower(who byte) byte { return who + ('a' - 'A') }

// copyLoop forwards src to dst until src ends, times out or fails.
func (t *tcpTunnel) copyLoop(src, dst *tcpSide, total *atomic.Int64, up bool) {
	var buf []byte // until the direction switches to splice
	spliced := false
	defer func() {
		if buf != nil {
			putBuf(buf)
		}
	}()
	for {
		half := t.half.Load()
		sto, dto := src.timeout(half), dst.timeout(half)
		// The read deadline is a slice of the shortest timeout, so idle
		// time is measured to within 1/8 of it; the write deadline is the
		// full timeout of dst, re-armed on each turn (a turn that moved
		// bytes ends within a slice, unless one write stalls).
		var readDL, writeDL time.Time
		now := time.Now()
		if sto > 0 || dto > 0 {
			slice := maxSlice
			for _, d := range [...]time.Duration{sto, dto} {
				if d > 0 {
					slice = min(slice, d/8)
				}
			}
			readDL = now.Add(max(slice, minSlice))
		}
		if dto > 0 {
			writeDL = now.Add(dto)
		}
		_ = src.conn.SetReadDeadline(readDL)
		_ = dst.conn.SetWriteDeadline(writeDL)

		n, err := copyOnce(dst.conn, src.conn, &buf, &spliced)
		now = time.Now()
		if n > 0 {
			total.Add(n)
			if t.onBytes != nil {
				t.onBytes(up, n)
			}
			ns := now.UnixNano()
			src.last.Store(ns)
			dst.last.Store(ns)
		}
		switch {
		case err == nil:
			// EOF from src: shut this direction, let the other one go on.
			t.endDirection(dst)
			return
		case isTimeout(err):
			if !writeDL.IsZero() && !now.Before(writeDL) {
				// A write to dst made no progress for its timeout.
				t.abort(lower(dst.who), phaseData)
				return
			}
			if half := t.half.Load(); src.idle(now, half) {
				// src idle: HAProxy shuts this direction (read timeout)
				// and lets the other one finish. When both sides expire
				// together, HAProxy sees the client's first.
				if src.who == termServer && t.cli.idle(now, half) {
					t.setTerm(lower(termClient), phaseData)
				}
				t.setTerm(lower(src.who), phaseData)
				t.endDirection(dst)
				return
			}
		default:
			if t.term.Load() == 0 {
				t.abort(t.failedSide(src, dst, err), phaseData)
			}
			return
		}
	}
}

// endDirection half-closes dst after its direction ended. When the other
// direction has ended too, the session is over.
func (t *tcpTunnel) endDirection(dst *tcpSide) {
	closeWrite(dst.conn)
	if !t.half.Swap(true) {
		// Wake the other loop, which reads dst, so that it applies the
		// fin timeouts at once.
		_ = dst.conn.SetReadDeadline(time.Unix(1, 0))
	}
}

// failedSide tells which side a copy error came from: 'C' or 'S'.
func (t *tcpTunnel) failedSide(src, dst *tcpSide, err error) byte {
	var se *sideError
	if errors.As(err, &se) {
		if se.write {
			return dst.who
		}
		return src.who
	}
	if errors.Is(err, net.ErrClosed) {
		return src.who
	}
	if socketFailed(dst.conn) && !socketFailed(src.conn) {
		return dst.who
	}
	return src.who
}

// sideError tags an error of the buffered copy with its direction.
type sideError struct {
	write bool
	err   error
}

func (e *sideError) Error() string { return e.err.Error() }
func (e *sideError) Unwrap() error { return e.err }

// copyOnce moves bytes from src to dst until EOF (nil error) or an error.
// It starts with plain reads and writes through a pooled buffer, which is
// cheapest for the small exchanges of most L4 protocols; the first read
// that fills the buffer shows bulk traffic, and between two *net.TCPConn
// the direction then switches to splice(2) for good (HAProxy's
// splice-auto idea), releasing the buffer.
func copyOnce(dst, src net.Conn, buf *[]byte, spliced *bool) (int64, error) {
	d, dok := dst.(*net.TCPConn)
	s, sok := src.(*net.TCPConn)
	canSplice := dok && sok
	if canSplice && *spliced {
		return d.ReadFrom(s)
	}
	if *buf == nil {
		*buf = getBuf()
	}
	var n int64
	for {
		nr, rerr := src.Read(*buf)
		if nr > 0 {
			nw, werr := dst.Write((*buf)[:nr])
			n += int64(nw)
			if werr != nil {
				return n, &sideError{write: true, err: werr}
			}
		}
		if rerr != nil {
			if rerr == io.EOF {
				return n, nil
			}
			return n, &sideError{err: rerr}
		}
		if canSplice && nr == len(*buf) {
			*spliced = true
			putBuf(*buf)
			*buf = nil
			m, err := d.ReadFrom(s)
			return n + m, err
		}
	}
}
