package proxy

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"haappliance/proxy/balance"
	"haappliance/proxy/h1"
	"haappliance/proxy/proxyproto"
)

// txn is the state of one request/response exchange with a backend.
type txn struct {
	be       *backend
	srv      *server
	sc       *serverConn
	mode     ConnMode
	seen     cookieSeen
	direct   bool   // the persistence cookie named the server that served
	method   []byte // static copy: HEAD, CONNECT, POST or GET
	minor    int
	clientKA bool
	upgrade  bool
	expect   bool
	bodyMode h1.BodyMode
	bodyLen  int64
	now      int64     // unix seconds, for cookie dates
	start    time.Time // when the request reached its backend
	sentBody bool      // request body bytes reached the server
	ckOp     byte      // persistence cookie operation on the response, for the log (0: none)
}

var (
	methodHEAD    = []byte("HEAD")
	methodCONNECT = []byte("CONNECT")
	methodPOST    = []byte("POST")
	methodOther   = []byte("GET")
)

func staticMethod(m []byte) []byte {
	switch string(m) {
	case "HEAD":
		return methodHEAD
	case "CONNECT":
		return methodCONNECT
	case "POST":
		return methodPOST
	}
	return methodOther
}

// forward sends the parsed request to a server of be and relays the
// answer. It reports whether the client connection may carry another
// request.
func (cc *clientConn) forward(be *backend) bool {
	p, req := cc.p, &cc.req
	start := p.now()
	be.c.sessionStart()
	defer be.c.sessionEnd()
	be.c.requests.Add(1)
	t := &txn{be: be, mode: connMode(cc.fe.opts, be.opts), method: staticMethod(req.Method),
		minor: req.Minor, upgrade: req.Upgrade, expect: req.Expect100,
		bodyMode: req.BodyMode(), bodyLen: req.ContentLength, now: start.Unix(), start: start}
	t.clientKA = req.KeepAlive && t.mode != Close

	var pref *server
	if be.ck != nil {
		t.seen = be.ck.scanRequest(req.Headers, t.now)
		if t.seen.found && !t.seen.expired {
			if s := be.byCookie[string(t.seen.value)]; s != nil && s.persistOK(be.persist) {
				pref = s
			}
		}
	}
	key := cc.balanceKey(be)
	srv, err := be.assign(pref, key, nil, p.done)
	// The timers are read only for the log: a clock read costs.
	logging := cc.logging()
	var tw time.Time
	if logging {
		tw = p.now()
		cc.log.Tw = tw.Sub(start)
	}
	if err != nil {
		if errors.Is(err, ErrNoServer) {
			cc.log.Tw = -1
			cc.finishError(be, nil, 503, termServer, phaseConnect)
		} else {
			cc.finishError(be, nil, 503, termServer, phaseQueue)
		}
		return false
	}
	srv.c.sessionStart()
	sc, srv, err := cc.connect(t, srv, key)
	if err != nil {
		if srv != nil {
			srv.c.sessionEnd()
			be.release(srv)
		}
		cc.finishError(be, srv, 503, termServer, phaseConnect)
		return false
	}
	if logging {
		cc.log.Tc = p.now().Sub(tw)
	}
	t.srv, t.sc = srv, sc
	t.direct = pref != nil && srv == pref
	cc.cur.Store(sc)
	keep := cc.exchange(t)
	cc.cur.Store(nil)
	srv.c.sessionEnd()
	be.release(srv)
	return keep
}

// balanceKey extracts what the backend's algorithm hashes.
func (cc *clientConn) balanceKey(be *backend) balance.Key {
	k := balance.Key{Src: cc.src.Addr()}
	switch be.hashIn.Kind {
	case balance.InputURI, balance.InputURLParam:
		k.Hash = be.alg.FromURI(cc.req.URI)
	case balance.InputHeader:
		for i := range cc.req.Headers {
			h := &cc.req.Headers[i]
			if equalFoldStr(h.Name, be.hashIn.Name) {
				k.Hash = be.alg.FromHeader(h.Value)
				break
			}
		}
	}
	return k
}

// connect returns a connection to srv: an idle pooled one, or a new one.
// A failed connect is retried up to `retries` times, after HAProxy's
// turn-around delay of min(timeout connect, 1s) when it failed fast; with
// option redispatch the last retry goes to another server. It returns the
// server finally used (whose slot is held), or nil when a redispatch found
// none.
func (cc *clientConn) connect(t *txn, srv *server, key balance.Key) (*serverConn, *server, error) {
	be, p := t.be, cc.p
	if t.mode == KeepAlive {
		if sc := srv.pool.get(t.start, be.serverIdleTimeout()); sc != nil {
			return sc, srv, nil
		}
	}
	to := be.t.Connect.D()
	for attempt := 0; ; attempt++ {
		began := time.Now()
		sc, err := cc.dial(srv, to)
		if err == nil {
			return sc, srv, nil
		}
		srv.c.errConn.Add(1)
		be.c.errConn.Add(1)
		cc.p.log.WithError(err).Debugf("connect to %s/%s failed", be.name, srv.name)
		if attempt >= be.retries || p.closing.Load() {
			return nil, srv, err
		}
		srv.c.retries.Add(1)
		be.c.retries.Add(1)
		cc.log.Retries++
		if be.redisp && attempt == be.retries-1 {
			srv.c.sessionEnd()
			be.release(srv)
			ns, err := be.assign(nil, key, srv, p.done)
			if err != nil {
				return nil, nil, err
			}
			ns.c.sessionStart()
			if ns != srv {
				be.c.redisp.Add(1)
				ns.c.redisp.Add(1)
				cc.log.Redisp = true
			}
			srv = ns
			continue
		}
		if wait := min(to, time.Second) - time.Since(began); to > 0 && wait > 0 {
			tm := time.NewTimer(wait)
			select {
			case <-tm.C:
			case <-p.done:
				tm.Stop()
			}
		}
	}
}

// dial opens a new server connection and sends the PROXY header when the
// server asks for one.
func (cc *clientConn) dial(srv *server, to time.Duration) (*serverConn, error) {
	c, err := srv.dial(to)
	if err != nil {
		return nil, err
	}
	sc := &serverConn{Conn: c, srv: srv}
	if srv.sendProxy || srv.sendProxyV2 {
		var dst netip.AddrPort
		if ta, ok := cc.conn.LocalAddr().(*net.TCPAddr); ok {
			dst = ta.AddrPort()
		}
		var hdr []byte
		if srv.sendProxyV2 {
			hdr = proxyproto.AppendV2(nil, cc.src, dst)
		} else {
			hdr = proxyproto.AppendV1(nil, cc.src, dst)
		}
		sc.wdl.arm(c, dlWrite, time.Now(), to)
		if _, err := c.Write(hdr); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	return sc, nil
}
