package proxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
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
	// rc is conn's socket when it is a *net.TCPConn or a *tcpConn (nil
	// otherwise), looked up once by run; cs is the state of the direction
	// that reads this side.
	rc syscall.RawConn
	cs copyState
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
//     go through a pooled buffer (raw read(2) and write(2) on Linux,
//     tcp_raw_linux.go), and once a direction carries bulk data (a read
//     fills the buffer) it switches to splice(2), so bytes never enter user
//     space (see copyOnce);
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
	t.cli.rc, t.srv.rc = rawTCP(t.cli.conn), rawTCP(t.srv.conn)
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
	st := &src.cs
	st.dr, st.sr = dst.rc, src.rc
	defer st.release()
	for {
		half := t.half.Load()
		sto, dto := src.timeout(half), dst.timeout(half)
		// The read deadline is a slice of the shortest timeout, so idle
		// time is measured to within 1/8 of it; the write deadline is the
		// full timeout of dst, re-armed on each turn (a turn that moved
		// bytes ends within a slice, unless one write stalls).
		var readDL, writeDL time.Time
		now := time.Now()
		if slice := readSlice(sto, dto); slice > 0 {
			readDL = now.Add(slice)
		}
		if dto > 0 {
			writeDL = now.Add(dto)
		}
		_ = src.conn.SetReadDeadline(readDL)
		_ = dst.conn.SetWriteDeadline(writeDL)

		n, err := st.copyOnce(dst.conn, src.conn)
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
			t.endDirection(src, dst)
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
				t.endDirection(src, dst)
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

// readSlice is the read deadline slice of a copy loop whose source and
// destination have the timeouts sto and dto (0: none): 1/8 of the
// shortest, within [minSlice, maxSlice]; 0 when neither has a timeout.
func readSlice(sto, dto time.Duration) time.Duration {
	if sto <= 0 && dto <= 0 {
		return 0
	}
	slice := maxSlice
	for _, d := range [...]time.Duration{sto, dto} {
		if d > 0 {
			slice = min(slice, d/8)
		}
	}
	return max(slice, minSlice)
}

// endDirection ends the direction src→dst.
//
// When it is the first to end, dst's write half is shut (the other
// direction goes on) and, if client-fin or server-fin change the other
// loop's timeouts, that loop's read deadline is brought to its new slice
// so that it measures the fin timeouts from now on (were its current
// slice shorter, it re-arms on its own soon after; at worst one old slice
// of imprecision).
//
// When the other direction has ended already, the session is over: run
// returns and the caller closes both connections at once, and close(2)
// sends dst its FIN (its input was read to EOF, or a timeout ended it, in
// which case close resets it as shutdown-then-close would), so shutdown(2)
// is skipped, saving a system call per session.
func (t *tcpTunnel) endDirection(src, dst *tcpSide) {
	if t.half.Swap(true) {
		return
	}
	tcpCloseWrite(dst.conn, dst.rc)
	sto, dto := dst.timeout(true), src.timeout(true)
	if sto == dst.timeout(false) && dto == src.timeout(false) {
		return // no fin timeout applies: the other loop's deadlines stand
	}
	_ = dst.conn.SetReadDeadline(time.Now().Add(readSlice(sto, dto)))
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

// copyState is what a direction keeps from one turn of its copy loop to
// the next.
type copyState struct {
	buf     []byte // pooled, until the direction switches to splice
	spliced bool
	noPipe  bool        // no pipe could be made: copy through buf
	pipe    *splicePipe // spliceConns' pipe (nil when the runtime splices)
	// dr and sr are the sockets of dst and src (nil unless a *net.TCPConn
	// or a *tcpConn); the buffered copy reads and writes them with raw
	// system calls where the platform has them (tcp_raw_linux.go).
	dr, sr syscall.RawConn
	rio    rawIO
}

// ownSplice prepares spliceConns between dst and src; false when one of
// them is not a TCP socket or no pipe could be made (out of descriptors:
// the direction goes on through the buffer).
func (st *copyState) ownSplice() bool {
	if st.dr == nil || st.sr == nil {
		st.noPipe = true
		return false
	}
	p, err := newSplicePipe()
	if err != nil {
		st.noPipe = true
		return false
	}
	st.pipe = p
	return true
}

func (st *copyState) release() {
	if st.buf != nil {
		putBuf(st.buf)
		st.buf = nil
	}
	if st.pipe != nil {
		st.pipe.close()
		st.pipe = nil
	}
}

// copyOnce moves bytes from src to dst until EOF (nil error) or an error.
// It starts with plain reads and writes through a pooled buffer, which is
// cheapest for the small exchanges of most L4 protocols; the first read
// that fills the buffer shows bulk traffic, and the direction then
// switches to splice(2) for good (HAProxy's splice-auto idea), releasing
// the buffer: dst.ReadFrom(src) between two *net.TCPConn (the runtime
// splices), spliceConns with its own pipe when an end is a *tcpConn (a
// server connection of dialDirect).
func (st *copyState) copyOnce(dst, src net.Conn) (int64, error) {
	d, dok := dst.(*net.TCPConn)
	s, sok := src.(*net.TCPConn)
	runtimeSplice := dok && sok
	if st.spliced {
		if st.pipe != nil {
			return spliceConns(st.dr, st.sr, st.pipe)
		}
		return d.ReadFrom(s)
	}
	if st.buf == nil {
		st.buf = getBuf()
	}
	var n int64
	for {
		nr, rerr := st.read(src)
		if nr > 0 {
			nw, werr := st.write(dst, nr)
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
		if nr == len(st.buf) && !st.noPipe && (runtimeSplice || st.ownSplice()) {
			st.spliced = true
			putBuf(st.buf)
			st.buf = nil
			m, err := st.copyOnce(dst, src)
			return n + m, err
		}
	}
}
