package proxy

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"

	"haappliance/proxy/h1"
)

// clientConn is one accepted client connection in an HTTP frontend.
type clientConn struct {
	p    *Proxy
	fe   *frontend
	conn net.Conn
	src  netip.AddrPort
	buf  []byte // pooled read buffer; buf[r:w] are unparsed bytes
	r, w int
	req  h1.Request
	smp  reqSample
	nreq int
	idle atomic.Bool                // between requests: waiting for the first byte of the next one
	cur  atomic.Pointer[serverConn] // the server connection in use
	log  RequestLog
	t0   time.Time // accept or end of the previous request (only kept when requests are logged)
	rdl  lazyDL    // conn's read deadline
	wdl  lazyDL    // conn's write deadline

	rs *ruleState // http-request/response rules' memory (httprules.go)
	h2 bool       // an HTTP/2 stream served as HTTP/1.1 (h2.go), logged as HTTP/2.0
	// tFirst is when the first byte of the current request arrived (only
	// kept when requests are logged).
	tFirst time.Time

	// Idle parking (idle.go, park_linux.go).
	hdrs   *[]h1.Header    // pooled backing of req.Headers; nil while idle
	hdrsN  int             // entries of *hdrs written since taken (cleared on release)
	raw    syscall.RawConn // nil unless plain TCP (plainTCP)
	fd     int             // its descriptor, -1 when unknown
	readFn func(fd uintptr) bool
	rn     int   // result of readFn
	rerr   error // result of readFn
	parked bool  // attached to the parker; guarded by its mutex
}

func newClientConn(p *Proxy, f *frontend, c net.Conn) *clientConn {
	cc := &clientConn{p: p, fe: f, conn: c, t0: p.now()}
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		cc.src = ta.AddrPort()
		cc.src = netip.AddrPortFrom(cc.src.Addr().Unmap(), cc.src.Port())
	}
	cc.fd = -1
	if tc := plainTCP(c); tc != nil {
		if rc, err := tc.SyscallConn(); err == nil {
			cc.raw = rc
			_ = rc.Control(func(fd uintptr) { cc.fd = int(fd) })
			cc.readFn = cc.rawRead
		}
	}
	cc.smp = reqSample{req: &cc.req, src: cc.src.Addr()}
	return cc
}

// serve handles requests until the connection ends (it is then closed)
// or parks; it reports whether it parked, handing the connection to the
// parker (idle.go).
func (cc *clientConn) serve() (parked bool) {
	for {
		switch cc.readHead() {
		case headParked:
			return true
		case headClose:
			cc.closeConn()
			return false
		}
		if !cc.handle() || cc.p.closing.Load() {
			cc.closeConn()
			return false
		}
		if cc.logging() {
			cc.t0 = cc.p.now()
		}
	}
}

// abortServer closes the server connection in use (Shutdown deadline).
func (cc *clientConn) abortServer() {
	if sc := cc.cur.Load(); sc != nil {
		_ = sc.Conn.Close()
	}
}

// readHead reads and parses the next request head. Timeouts: the first
// request of a connection has timeout http-request from the accept; a
// later one waits timeout http-keep-alive for its first byte, then has
// timeout http-request. A timeout answers 408 unless the connection was an
// idle keep-alive one that sent nothing, which closes silently as HAProxy.
// A malformed head answers 400.
//
// While it waits for the first byte the connection holds no buffer, and a
// keep-alive one parks after parkAfter (idle.go).
func (cc *clientConn) readHead() headResult {
	t := &cc.fe.t
	first := cc.nreq == 0
	got := cc.r < cc.w || first
	if cc.r == cc.w {
		// Only a connection between requests is idle for a graceful stop:
		// one waiting for its first request is a request in progress (its
		// client just connected, perhaps while the VIP moved), as HAProxy
		// treats it; timeout http-request and hard_stop_after bound it.
		cc.idle.Store(!first)
		cc.releaseIdle()
	}
	// One clock read. While a keep-alive connection waits for its next
	// request the read deadline is when it parks; once the request started
	// that (earlier) deadline stays in place and is moved to the
	// http-request one only if it fires (early): a busy connection does not
	// move its deadline on every request (lazyDL).
	now := time.Now()
	var dl, parkAt, reqDL time.Time
	if got {
		cc.rdl.arm(cc.conn, dlRead, now, t.HTTPRequestTimeout())
	} else {
		if to := t.KeepAliveTimeout(); to > 0 {
			dl = now.Add(to)
		}
		parkAt = cc.parkDeadline(now, dl)
		switch {
		case parkAt.IsZero():
			cc.rdl.arm(cc.conn, dlRead, now, t.KeepAliveTimeout())
		case !cc.rdl.set || !cc.rdl.at.Equal(parkAt):
			cc.rdl.setAt(cc.conn, dlRead, parkAt)
		}
	}
	early := false // the deadline in place is parkAt, before reqDL
	started := cc.r < cc.w
	logging := cc.logging()
	if logging {
		cc.tFirst = cc.t0
	}
	for {
		if cc.r < cc.w {
			cc.needHeaders()
			// hdrsN covers the previous request's entries too (header
			// rules may have added some) before this parse overwrites them.
			cc.hdrsN = max(cc.hdrsN, len(cc.req.Headers))
			_, err := h1.ParseRequest(cc.buf[cc.r:cc.w], &cc.req, h1.DefaultLimits)
			cc.hdrsN = max(cc.hdrsN, len(cc.req.Headers))
			if err == nil {
				cc.idle.Store(false)
				return headOK
			}
			if !errors.Is(err, h1.ErrIncomplete) {
				cc.badRequest(400)
				return headClose
			}
		}
		if cc.r > 0 {
			cc.w = copy(cc.buf, cc.buf[cc.r:cc.w])
			cc.r = 0
		}
		if cc.buf != nil && cc.w == len(cc.buf) {
			cc.badRequest(400)
			return headClose
		}
		n, err := cc.read()
		if n > 0 {
			cc.w += n
			if !started {
				started = true
				cc.idle.Store(false)
				if logging {
					cc.tFirst = cc.p.now()
				}
				switch {
				case got:
				case parkAt.IsZero():
					cc.rdl.arm(cc.conn, dlRead, time.Now(), t.HTTPRequestTimeout())
				default:
					reqDL, early = deadline(t.HTTPRequestTimeout()), true
				}
			}
			continue
		}
		if early && isTimeout(err) && !cc.p.closing.Load() {
			early = false
			if reqDL.IsZero() || time.Now().Before(reqDL) {
				cc.rdl.setAt(cc.conn, dlRead, reqDL)
				continue
			}
		}
		if !started && !parkAt.IsZero() && isTimeout(err) && !cc.p.closing.Load() {
			if cc.park(dl) {
				return headParked
			}
			parkAt = time.Time{}
			cc.rdl.setAt(cc.conn, dlRead, dl)
			continue
		}
		if isTimeout(err) && (started || first) && !cc.p.closing.Load() {
			cc.badRequest(408)
		} else if started {
			cc.fe.c.cliAborts.Add(1)
		}
		return headClose
	}
}

// badRequest answers a request that failed before reaching a backend.
func (cc *clientConn) badRequest(code int) {
	cc.fe.c.errReq.Add(1)
	cc.fe.c.requests.Add(1)
	cc.fe.c.response(code)
	cc.writeError(code)
	if cc.logging() {
		cc.log = RequestLog{Accept: cc.tFirst, Client: cc.src.String(), Frontend: cc.fe.name,
			Backend: cc.fe.name, Server: "<NOSRV>", Status: code, Tq: -1, Tw: -1, Tc: -1, Tr: -1,
			Ta: cc.p.now().Sub(cc.tFirst)} // HAProxy logs 0 bytes for these
		cc.log.Term = [2]byte{termClient, phaseRequest}
		if code == 400 {
			cc.log.Term = [2]byte{termProxy, phaseRequest}
		}
		cc.logRequest(nil, nil)
	}
}

// writeError sends one of HAProxy's error pages and half-closes, draining
// what the client still sends for a moment so that it reads the answer
// instead of a reset.
func (cc *clientConn) writeError(code int) {
	page := errorResponse(code)
	cc.wdl.arm(cc.conn, dlWrite, time.Now(), cc.fe.t.Client.D())
	if _, err := cc.conn.Write(page); err != nil {
		return
	}
	cc.fe.c.bytesOut.Add(uint64(len(page)))
	cc.linger()
}

// linger half-closes the connection and discards input for up to 500ms.
func (cc *clientConn) linger() {
	tc, ok := cc.conn.(interface{ CloseWrite() error })
	if !ok {
		return
	}
	_ = tc.CloseWrite()
	cc.rdl.setAt(cc.conn, dlRead, time.Now().Add(500*time.Millisecond))
	_, _ = io.CopyN(io.Discard, cc.conn, 256<<10)
}

// handle serves the parsed request; it reports whether the connection may
// carry another one.
func (cc *clientConn) handle() bool {
	if cc.isProbe() { // probe.go: answered here, not logged or counted
		cc.answerProbe()
		return false
	}
	cc.nreq++
	fe := cc.fe
	fe.c.requests.Add(1)
	fe.c.bytesIn.Add(uint64(cc.req.HeadLen))
	cc.beginLog()
	if fe.stats != nil && fe.stats.matches(&cc.req) {
		keep := cc.serveStats()
		cc.rdl.forget() // stats_serve.go sets deadlines directly
		cc.wdl.forget()
		return keep
	}
	if answered, keep := cc.httpRequestRules(&fe.rules, nil); answered {
		cc.wdl.forget() // httprules.go sets the write deadline directly
		return keep
	}
	be := fe.backendFor(&cc.smp)
	if be == nil {
		cc.finishError(nil, nil, 503, termProxy, phaseRequest)
		return false
	}
	if answered, keep := cc.httpRequestRules(&be.rules, be); answered {
		cc.wdl.forget()
		return keep
	}
	return cc.forward(be)
}

// finishError answers code for a request that got as far as be (nil: no
// backend) and srv (nil: no server), counts and logs it.
func (cc *clientConn) finishError(be *backend, srv *server, code int, who, phase byte) {
	cc.fe.c.response(code)
	if be != nil {
		be.c.response(code)
	}
	if srv != nil {
		srv.c.response(code)
	}
	cc.writeError(code)
	if cc.logging() {
		cc.fillLog(be, srv)
		cc.log.Status = code
		cc.log.BytesRead = int64(len(errorResponse(code)))
		cc.log.Term = [2]byte{who, phase}
		cc.log.Ta = cc.p.now().Sub(cc.tFirst)
		cc.logRequest(be, srv)
	}
}

// fillLog sets the identity fields of the request log (only when a log
// hook is set: they allocate).
func (cc *clientConn) fillLog(be *backend, srv *server) {
	l := &cc.log
	l.Accept, l.Client, l.Frontend = cc.t0, cc.src.String(), cc.fe.name
	if cc.smp.ssl {
		l.Frontend = cc.fe.tlsLogName // "name~" as HAProxy logs TLS frontends
	}
	l.Backend, l.Server = cc.fe.name, "<NOSRV>"
	if be != nil {
		l.Backend = be.name
	}
	if srv != nil {
		l.Server = srv.name
	}
}

func appendInt(dst []byte, n int64) []byte {
	if n == 0 {
		return append(dst, '0')
	}
	var tmp [20]byte
	i := len(tmp)
	for n > 0 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, tmp[i:]...)
}
