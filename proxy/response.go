package proxy

import (
	"time"

	"haappliance/proxy/h1"
)

// relayResponse writes the final response head and streams its body, then
// returns the server connection to its pool when both sides allow it. It
// reports whether the client connection stays open.
func (cc *clientConn) relayResponse(t *txn, bodyPending bool) bool {
	sc, be, srv, fe := t.sc, t.be, t.srv, cc.fe
	res := &sc.res
	mode := res.BodyMode(t.method)
	if res.Status == 101 && !t.upgrade {
		// A 101 to a request that asked for no upgrade is invalid.
		sc.close()
		be.c.errResp.Add(1)
		cc.finishError(be, srv, 502, termServer, phaseHeaders)
		return false
	}
	if cc.p.closing.Load() {
		t.clientKA = false
	}
	cc.httpResponseRules(t)
	out := getBuf()[:0]
	out = cc.appendResponseHead(out, t, mode)
	defer func() { putBuf(out) }()
	headLen := int64(len(out))
	sc.r += res.HeadLen
	status := res.Status
	if cc.logging() {
		cc.log.Tr = cc.p.now().Sub(cc.tFirst) - cc.log.Tq - cc.log.Tw - cc.log.Tc
	}
	fe.c.response(status)
	be.c.response(status)
	srv.c.response(status)

	if status == 101 {
		cc.wdl.arm(cc.conn, dlWrite, time.Now(), fe.t.Client.D())
		if _, err := cc.conn.Write(out); err != nil {
			sc.close()
			return false
		}
		up, down := tunnel(cc.conn, fe.t.TunnelClientTimeout(), cc.buf, &cc.r, &cc.w,
			sc, be.t.TunnelServerTimeout(), sc.buf, &sc.r, &sc.w)
		fe.c.bytesIn.Add(uint64(up))
		fe.c.bytesOut.Add(uint64(headLen + down))
		sc.close()
		cc.logDone(t, status, headLen+down, termNone, phaseTunnel)
		return false
	}

	p := pump{src: sc, srcTO: be.t.Server.D(), srcDL: &sc.rdl, dst: cc.conn, dstTO: fe.t.Client.D(), dstDL: &cc.wdl,
		buf: sc.buf, r: &sc.r, w: &sc.w, prefix: out}
	err := p.body(mode, res.ContentLength)
	fe.c.bytesOut.Add(uint64(headLen + p.n))
	be.c.bytesOut.Add(uint64(headLen + p.n))
	srv.c.bytesOut.Add(uint64(headLen + p.n))
	if err != nil {
		sc.close()
		who := byte(termServer)
		if pumpSide(err) == sideDst {
			who = termClient
			fe.c.cliAborts.Add(1)
		} else {
			be.c.srvAborts.Add(1)
			srv.c.srvAborts.Add(1)
			be.c.errResp.Add(1)
		}
		cc.logDone(t, status, headLen+p.n, who, phaseData)
		return false
	}
	reuse := t.mode == KeepAlive && res.KeepAlive && mode != h1.BodyUntilClose &&
		!bodyPending && sc.r == sc.w && !cc.p.closing.Load() && !srv.retired.Load()
	if !reuse || !srv.pool.put(sc, t.start) { // the request's start: one clock read less, the idle time counts from a bit earlier
		sc.close()
	}
	cc.logDone(t, status, headLen+p.n, termNone, phaseNone)
	if !t.clientKA || mode == h1.BodyUntilClose {
		return false
	}
	return true
}

// logDone records a finished request.
func (cc *clientConn) logDone(t *txn, status int, bytes int64, who, phase byte) {
	if !cc.logging() {
		return
	}
	cc.fillLog(t.be, t.srv)
	l := &cc.log
	l.Status, l.BytesRead = status, bytes
	l.Term = [2]byte{who, phase}
	l.Cookie = t.cookieLog()
	l.Ta = cc.p.now().Sub(cc.tFirst)
	cc.logRequest(t.be, t.srv)
}

var _ = h1.BodyNone
