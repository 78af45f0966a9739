package proxy

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync/atomic"
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
	idle atomic.Bool                // waiting for the first byte of a request
	cur  atomic.Pointer[serverConn] // the server connection in use
	log  RequestLog
	t0   time.Time // accept or end of the previous request
}

func newClientConn(p *Proxy, f *frontend, c net.Conn) *clientConn {
	cc := &clientConn{p: p, fe: f, conn: c, t0: p.now()}
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		cc.src = ta.AddrPort()
		cc.src = netip.AddrPortFrom(cc.src.Addr().Unmap(), cc.src.Port())
	}
	cc.req.Headers = make([]h1.Header, 0, h1.DefaultLimits.MaxHeaders)
	cc.smp = reqSample{req: &cc.req, src: cc.src.Addr()}
	cc.idle.Store(true)
	return cc
}

// serve handles requests until the connection ends.
func (cc *clientConn) serve() {
	cc.buf = getBuf()
	defer func() {
		putBuf(cc.buf)
		cc.buf = nil
		_ = cc.conn.Close()
	}()
	for {
		if !cc.readHead() {
			return
		}
		if !cc.handle() || cc.p.closing.Load() {
			return
		}
		cc.t0 = cc.p.now()
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
func (cc *clientConn) readHead() bool {
	t := &cc.fe.t
	first := cc.nreq == 0
	got := cc.r < cc.w || first
	if cc.r == cc.w {
		cc.idle.Store(true)
		cc.r, cc.w = 0, 0
	}
	to := t.HTTPRequestTimeout()
	if !got {
		to = t.KeepAliveTimeout()
	}
	_ = cc.conn.SetReadDeadline(deadline(to))
	started := cc.r < cc.w
	for {
		if cc.r < cc.w {
			_, err := h1.ParseRequest(cc.buf[cc.r:cc.w], &cc.req, h1.DefaultLimits)
			if err == nil {
				cc.idle.Store(false)
				return true
			}
			if !errors.Is(err, h1.ErrIncomplete) {
				cc.badRequest(400)
				return false
			}
		}
		if cc.r > 0 {
			cc.w = copy(cc.buf, cc.buf[cc.r:cc.w])
			cc.r = 0
		}
		if cc.w == len(cc.buf) {
			cc.badRequest(400)
			return false
		}
		n, err := cc.conn.Read(cc.buf[cc.w:])
		if n > 0 {
			cc.w += n
			if !started {
				started = true
				cc.idle.Store(false)
				if !got {
					_ = cc.conn.SetReadDeadline(deadline(t.HTTPRequestTimeout()))
				}
			}
			continue
		}
		if isTimeout(err) && (started || first) && !cc.p.closing.Load() {
			cc.badRequest(408)
		} else if started {
			cc.fe.c.cliAborts.Add(1)
		}
		return false
	}
}

// badRequest answers a request that failed before reaching a backend.
func (cc *clientConn) badRequest(code int) {
	cc.fe.c.errReq.Add(1)
	cc.fe.c.requests.Add(1)
	cc.fe.c.response(code)
	cc.writeError(code)
	if cc.p.onRequest != nil {
		cc.log = RequestLog{Accept: cc.t0, Client: cc.src.String(), Frontend: cc.fe.name,
			Backend: cc.fe.name, Server: "<NOSRV>", Status: code, Tq: -1, Ta: cc.p.now().Sub(cc.t0)}
		cc.log.Term = [2]byte{termClient, phaseRequest}
		if code == 400 {
			cc.log.Term = [2]byte{termProxy, phaseRequest}
		}
		cc.p.logRequest(&cc.log)
	}
}

// writeError sends one of HAProxy's error pages and half-closes, draining
// what the client still sends for a moment so that it reads the answer
// instead of a reset.
func (cc *clientConn) writeError(code int) {
	page := errorResponse(code)
	_ = cc.conn.SetWriteDeadline(deadline(cc.fe.t.Client.D()))
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
	_ = cc.conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	_, _ = io.CopyN(io.Discard, cc.conn, 256<<10)
}

// handle serves the parsed request; it reports whether the connection may
// carry another one.
func (cc *clientConn) handle() bool {
	cc.nreq++
	fe := cc.fe
	fe.c.requests.Add(1)
	fe.c.bytesIn.Add(uint64(cc.req.HeadLen))
	if fe.stats != nil && fe.stats.matches(cc.req.URI) {
		return cc.serveStats()
	}
	be := fe.backendFor(&cc.smp)
	if be == nil {
		cc.finishError(nil, nil, 503, termProxy, phaseRequest)
		return false
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
	if cc.p.onRequest != nil {
		cc.fillLog(be, srv)
		cc.log.Status = code
		cc.log.Term = [2]byte{who, phase}
		cc.log.Ta = cc.p.now().Sub(cc.t0)
		cc.p.logRequest(&cc.log)
	}
}

// fillLog sets the identity fields of the request log (only when a log
// hook is set: they allocate).
func (cc *clientConn) fillLog(be *backend, srv *server) {
	l := &cc.log
	l.Accept, l.Client, l.Frontend = cc.t0, cc.src.String(), cc.fe.name
	l.Backend, l.Server = cc.fe.name, "<NOSRV>"
	if be != nil {
		l.Backend = be.name
	}
	if srv != nil {
		l.Server = srv.name
	}
}

// serveStats answers the stats URI: 401 without valid credentials, else
// the placeholder page.
func (cc *clientConn) serveStats() bool {
	st := cc.fe.stats
	v, _ := h1.HeaderValue(cc.req.Headers, "authorization")
	if !st.authorized(v) {
		cc.fe.c.response(401)
		_ = cc.conn.SetWriteDeadline(deadline(cc.fe.t.Client.D()))
		_, _ = cc.conn.Write(unauthorizedResponse(st.realm))
		cc.linger()
		return false
	}
	cc.fe.c.response(200)
	out := []byte("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncache-control: no-cache\r\ncontent-length: ")
	out = appendInt(out, int64(len(statsPlaceholder)))
	out = append(out, "\r\n\r\n"...)
	if string(cc.req.Method) != "HEAD" {
		out = append(out, statsPlaceholder...)
	}
	cc.r += cc.req.HeadLen
	_ = cc.conn.SetWriteDeadline(deadline(cc.fe.t.Client.D()))
	if _, err := cc.conn.Write(out); err != nil {
		return false
	}
	return cc.req.KeepAlive && cc.req.BodyMode() == h1.BodyNone
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
