package proxy

import (
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"haappliance/proxy/h1"
)

// errRetry marks a failure on a reused server connection before any byte of
// the response: the request is sent again on a new connection.
var errRetry = errors.New("proxy: pooled connection failed, retry")

// exchange sends the request on t.sc and relays the response; it returns
// whether the client connection stays open.
func (cc *clientConn) exchange(t *txn) bool {
	out := getBuf()[:0]
	defer func() { putBuf(out) }()
	out = cc.appendRequestHead(out, t)
	headEnd := cc.r + cc.req.HeadLen
	for {
		keep, err := cc.roundTrip(t, out, headEnd)
		if errors.Is(err, errRetry) {
			t.sc.close()
			sc, derr := cc.dial(t.srv, t.be.t.Connect.D())
			if derr != nil {
				t.srv.c.errConn.Add(1)
				t.be.c.errConn.Add(1)
				cc.finishError(t.be, t.srv, 503, termServer, phaseConnect)
				return false
			}
			t.sc = sc
			cc.cur.Store(sc)
			continue
		}
		return keep
	}
}

// roundTrip performs one attempt. On errRetry nothing was consumed from the
// client and nothing was sent to it.
func (cc *clientConn) roundTrip(t *txn, head []byte, headEnd int) (bool, error) {
	sc := t.sc
	sc.takeBuf()
	fe, be, srv := cc.fe, t.be, t.srv
	// The head, plus the body bytes already received when they fit.
	reqPump := pump{src: cc.conn, srcTO: fe.t.Client.D(), srcDL: &cc.rdl, dst: sc, dstTO: be.t.Server.D(), dstDL: &sc.wdl,
		buf: cc.buf, r: &cc.r, w: &cc.w, prefix: head}
	saveR := cc.r
	cc.r = headEnd
	waitContinue := t.expect && t.bodyMode != h1.BodyNone && cc.r == cc.w
	var err error
	if t.bodyMode == h1.BodyNone || waitContinue {
		err = cc.sendHead(t, &reqPump) // sendwait.go
	} else {
		err = reqPump.body(t.bodyMode, t.bodyLen)
		t.sentBody = true
	}
	if err != nil {
		if pumpSide(err) == sideDst && sc.reused && t.bodyMode == h1.BodyNone {
			cc.r = saveR
			return false, errRetry
		}
		return cc.requestBodyFailed(t, err), nil
	}
	fe.c.bytesIn.Add(uint64(reqPump.n))
	srv.c.bytesIn.Add(uint64(reqPump.n + int64(cc.req.HeadLen)))
	be.c.bytesIn.Add(uint64(reqPump.n + int64(cc.req.HeadLen)))
	bodyPending := waitContinue

	res := &sc.res
	for {
		_, err := cc.readResponseHead(t)
		if err != nil {
			if sc.reused && sc.w == 0 && t.bodyMode == h1.BodyNone && !isTimeout(err) && retryable(err) {
				cc.r = saveR
				return false, errRetry
			}
			code, phase := 502, byte(phaseHeaders)
			if isTimeout(err) {
				code = 504
			}
			be.c.errResp.Add(1)
			srv.c.errResp.Add(1)
			sc.close()
			cc.finishError(be, srv, code, termServer, phase)
			return false, nil
		}
		if res.Status >= 200 || res.Status == 101 {
			break
		}
		// Interim response: relay it, and send the body after a 100.
		if err := cc.relayInterim(t); err != nil {
			sc.close()
			return false, nil
		}
		if res.Status == 100 && bodyPending {
			bodyPending = false
			p := pump{src: cc.conn, srcTO: fe.t.Client.D(), srcDL: &cc.rdl, dst: sc, dstTO: be.t.Server.D(), dstDL: &sc.wdl,
				buf: cc.buf, r: &cc.r, w: &cc.w}
			if err := p.body(t.bodyMode, t.bodyLen); err != nil {
				return cc.requestBodyFailed(t, err), nil
			}
			t.sentBody = true
			fe.c.bytesIn.Add(uint64(p.n))
		}
	}
	if bodyPending {
		// The server answered without asking for the body: the client's
		// connection cannot be reused, the body was never read.
		t.clientKA = false
	}
	return cc.relayResponse(t, bodyPending), nil
}

// retryable reports a connection-level failure (closed or reset by the
// server) as opposed to a protocol error.
func retryable(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF)
}

// requestBodyFailed handles a failure while forwarding the request body:
// a client timeout or abort closes both sides; invalid chunked framing
// answers 400 (nothing was sent to the client yet) and closes both; a
// server write failure answers 502.
func (cc *clientConn) requestBodyFailed(t *txn, err error) bool {
	t.sc.close()
	switch pumpSide(err) {
	case sideFraming:
		cc.fe.c.errReq.Add(1)
		cc.finishError(t.be, t.srv, 400, termProxy, phaseData)
	case sideSrc:
		cc.fe.c.cliAborts.Add(1)
		t.be.c.cliAborts.Add(1)
		if isTimeout(err) {
			cc.fe.c.errReq.Add(1)
			cc.finishError(t.be, t.srv, 408, termClient, phaseData)
		}
	default:
		t.be.c.errResp.Add(1)
		cc.finishError(t.be, t.srv, 502, termServer, phaseData)
	}
	return false
}

// readResponseHead reads and parses the next response head from the
// server, with timeout server.
func (cc *clientConn) readResponseHead(t *txn) (int, error) {
	sc := t.sc
	sc.rdl.arm(sc.Conn, dlRead, time.Now(), t.be.t.Server.D())
	for {
		if sc.r < sc.w {
			n, err := h1.ParseResponse(sc.buf[sc.r:sc.w], &sc.res, h1.DefaultLimits)
			if err == nil {
				return n, nil
			}
			if !errors.Is(err, h1.ErrIncomplete) {
				return 0, err
			}
		}
		if sc.r > 0 {
			sc.w = copy(sc.buf, sc.buf[sc.r:sc.w])
			sc.r = 0
		}
		if sc.w == len(sc.buf) {
			return 0, &h1.ParseError{Reason: "response head too large", Status: 502}
		}
		n, err := sc.Read(sc.buf[sc.w:])
		sc.w += n
		if n == 0 {
			if err == nil {
				err = io.ErrNoProgress
			}
			if errors.Is(err, io.EOF) && sc.w > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
}

// relayInterim forwards a 1xx response other than 101 to the client.
func (cc *clientConn) relayInterim(t *txn) error {
	sc := t.sc
	res := &sc.res
	out := h1.AppendStatusLine(make([]byte, 0, 256), res.Minor, res.Status, res.Reason)
	for i := range res.Headers {
		out = appendHeaderLower(out, res.Headers[i].Name, res.Headers[i].Value)
	}
	out = append(out, '\r', '\n')
	sc.r += res.HeadLen
	cc.wdl.arm(cc.conn, dlWrite, time.Now(), cc.fe.t.Client.D())
	_, err := cc.conn.Write(out)
	return err
}
