package proxy

import (
	"io"
	"sync"
	"syscall"
	"time"

	"haappliance/proxy/h1"
)

// Idle keep-alive client connections cost what they hold while nothing
// happens. HAProxy holds about 1.2 KB per idle connection (its session and
// connection structs; buffers go back to the pool between requests). A
// goroutine blocked in Read holds its stack (8 KiB or more once a request
// grew it) and its read buffer (16 KiB). So:
//
//   - Between requests the connection gives its read buffer and its header
//     slice back to their pools, and waits for the next byte through
//     syscall.RawConn.Read with a callback that takes a pooled buffer only
//     once the socket is readable (no extra system call: the callback's
//     read is the one conn.Read would have made).
//   - A connection still idle parkAfter later leaves its goroutine too: it
//     is handed to the parker (an epoll set of its own on Linux), and a new
//     goroutine picks it up when bytes arrive; the parker's deadline heap
//     enforces the rest of timeout http-keep-alive. Busy connections never
//     park, so the request path pays nothing for it.
//   - What is left then is the Go runtime's share (netFD, pollDesc, its
//     deadline timer, addresses) and the clientConn, ~2.5 KB. A plain TCP
//     connection parked for detachAfter more (park_linux.go) is detached:
//     the parker keeps its descriptor and a 64-byte record, and rebuilds a
//     net.Conn and a clientConn when bytes arrive (park_detach_linux.go).

// parkAfter is how long an idle keep-alive connection keeps its goroutine
// before it parks.
const parkAfter = 100 * time.Millisecond

// headResult is the outcome of readHead.
type headResult uint8

const (
	headOK     headResult = iota // a request head is parsed
	headClose                    // the connection ends
	headParked                   // the parker owns the connection now
)

// hdrPool holds header slices of h1.DefaultLimits.MaxHeaders capacity.
var hdrPool = sync.Pool{New: func() any {
	s := make([]h1.Header, 0, h1.DefaultLimits.MaxHeaders)
	return &s
}}

// needHeaders gives the request a pooled header slice before parsing.
func (cc *clientConn) needHeaders() {
	if cc.hdrs == nil {
		cc.hdrs = hdrPool.Get().(*[]h1.Header)
		cc.req.Headers = (*cc.hdrs)[:0]
	}
}

// releaseIdle gives the read buffer and the header slice back to their
// pools; it is called when no unparsed byte is left (cc.r == cc.w).
func (cc *clientConn) releaseIdle() {
	if cc.buf != nil {
		putBuf(cc.buf)
		cc.buf = nil
	}
	cc.r, cc.w = 0, 0
	if cc.hdrs != nil {
		// Clear the entries written (parses, header rules), not the whole
		// capacity: a few hundred bytes instead of several kB per request.
		b := (*cc.hdrs)[:cap(*cc.hdrs)]
		clear(b[:min(max(cc.hdrsN, len(cc.req.Headers)), len(b))])
		cc.hdrsN = 0
		*cc.hdrs = cc.req.Headers[:0]
		hdrPool.Put(cc.hdrs)
		cc.hdrs = nil
		cc.req.Headers = nil
	}
}

// read reads more request bytes into cc.buf[cc.w:], taking a buffer when
// the connection holds none.
func (cc *clientConn) read() (int, error) {
	if cc.buf != nil {
		return cc.conn.Read(cc.buf[cc.w:])
	}
	if cc.raw == nil {
		cc.buf = getBuf()
		return cc.conn.Read(cc.buf)
	}
	cc.rn, cc.rerr = 0, nil
	if err := cc.raw.Read(cc.readFn); err != nil {
		return 0, err
	}
	return cc.rn, cc.rerr
}

// rawRead is the syscall.RawConn.Read callback of read: it takes a pooled
// buffer, reads into it, and gives it back when the socket had nothing
// (false: wait for readability without holding it).
func (cc *clientConn) rawRead(fd uintptr) bool {
	b := getBuf()
	var n int
	var err error
	for {
		n, err = syscall.Read(int(fd), b)
		if err != syscall.EINTR {
			break
		}
	}
	if err == syscall.EAGAIN {
		putBuf(b)
		return false
	}
	cc.buf = b
	switch {
	case err != nil:
		cc.rn, cc.rerr = 0, err
	case n == 0:
		cc.rn, cc.rerr = 0, io.EOF
	default:
		cc.rn = n
	}
	return true
}

// parkDeadline returns when a connection waiting for the first byte of a
// keep-alive request (whose timeout ends at dl, zero: never) parks, or the
// zero time when it does not park.
func (cc *clientConn) parkDeadline(now, dl time.Time) time.Time {
	if cc.p.parker == nil || cc.raw == nil || cc.fd < 0 {
		return time.Time{}
	}
	at := now.Add(parkAfter)
	if d := &cc.rdl; d.set && !d.at.IsZero() && d.at.Sub(now) >= parkAfter/2 && d.at.Sub(now) <= 2*parkAfter {
		// The park deadline in place is close enough: parking after 50ms
		// or 200ms of idleness instead of 100ms changes nothing, moving
		// the deadline costs a timer update per request.
		at = d.at
	}
	if !dl.IsZero() && dl.Sub(at) < parkAfter {
		return time.Time{} // the keep-alive timeout ends soon anyway
	}
	return at
}

// park hands the idle connection to the parker until bytes arrive or the
// keep-alive deadline dl (zero: none) passes. It reports false when the
// parker refused it (the caller keeps waiting with its goroutine).
func (cc *clientConn) park(dl time.Time) bool {
	cc.releaseIdle()
	return cc.p.parker.park(cc, dl)
}

// canDetach reports whether the parker may detach the connection's
// descriptor from the Go runtime: a plain TCP connection (TLS and PROXY
// protocol ones keep their wrapper, and do not park).
func (cc *clientConn) canDetach() bool {
	return plainTCP(cc.conn) != nil && cc.raw != nil && cc.r == cc.w
}

// resume serves a parked connection that became readable (or hung up) on
// a new goroutine; the handler count and the connection slots were held
// while it was parked.
func (cc *clientConn) resume() {
	cc.p.runClient(cc)
}

// closeConn closes the client connection and gives its buffers back.
func (cc *clientConn) closeConn() {
	cc.releaseIdle()
	_ = cc.conn.Close()
}

// end releases what serveConn took for the connection: its entry in the
// connection set, its session count, its connection slots and its handler
// count.
func (cc *clientConn) end() {
	p := cc.p
	p.mu.Lock()
	delete(p.conns, cc)
	p.mu.Unlock()
	p.connDone(cc.fe)
}

// runClient serves cc until it ends (then releases it) or parks.
func (p *Proxy) runClient(cc *clientConn) {
	if cc.serve() {
		return
	}
	cc.end()
}

// connDone releases a finished connection's session count, slots and
// handler count.
func (p *Proxy) connDone(f *frontend) {
	f.c.sessionEnd()
	p.releaseSlot(f)
	p.handlers.Done()
}
