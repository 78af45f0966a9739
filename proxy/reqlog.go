package proxy

import (
	"net/netip"
	"time"

	"github.com/sirupsen/logrus"

	"haappliance/proxy/logfmt"
)

// RequestLog holds what HAProxy's httplog line needs for one request. The
// engine fills it as the request goes (only when the frontend logs or a
// RequestLog hook is set: the strings allocate); logRequest turns it into
// the line.
type RequestLog struct {
	// Accept is the request date, HAProxy's %tr: when the first byte of
	// the request arrived (the accept date for a request that sent none).
	Accept    time.Time
	Client    string // client ip:port
	Frontend  string
	Backend   string
	Server    string        // "<NOSRV>" when none was reached, "<STATS>" for the stats page
	Tq        time.Duration // %TR: time to receive the full request head (-1: never)
	Tw        time.Duration // time waiting in queues (-1: never queued)
	Tc        time.Duration // time to connect to the server (-1: never connected)
	Tr        time.Duration // server response time (head; -1: no response)
	Ta        time.Duration // total active time
	Status    int
	BytesRead int64 // bytes sent to the client (HAProxy's bytes_read)
	Retries   int
	Redisp    bool
	// Term is HAProxy's two-character termination state: the first
	// character is who ended the session ('-' normal, 'C' client, 'S'
	// server, 'P' proxy, 'R' resource; lower case for a timeout), the
	// second the phase ('-' normal, 'R' request, 'Q' queue, 'C' connect,
	// 'H' headers, 'D' data, 'T' tunnel).
	Term [2]byte
	// Cookie is the persistence cookie part of the termination state:
	// client side ('N' none, 'I' invalid, 'D' server down, 'V' valid, 'E'
	// expired), server side ('N' none, 'I' inserted, 'U' updated, 'P'
	// provided, 'R' rewritten, 'D' deleted); '-' without persistence.
	Cookie   [2]byte
	Method   string
	URI      string
	Minor    int  // HTTP/1.Minor
	HTTP2    bool // the request came as HTTP/2 (its line logs HTTP/2.0, as HAProxy's)
	Requeued bool

	// Connection counts when the request ended (%ac/%fc/%bc/%sc, this
	// request excluded from the backend and server counts as in HAProxy)
	// and queue lengths (%sq/%bq).
	ActConn, FeConn, BeConn, SrvConn int
	SrvQueue, BackendQueue           int
}

// Termination codes.
const (
	termNone   = '-'
	termClient = 'C'
	termServer = 'S'
	termProxy  = 'P'
	termRes    = 'R'
	termLocal  = 'L' // answered by the proxy itself (stats page)

	phaseNone    = '-'
	phaseRequest = 'R'
	phaseQueue   = 'Q'
	phaseConnect = 'C'
	phaseHeaders = 'H'
	phaseData    = 'D'
	phaseTunnel  = 'T'
)

// Request logging of a frontend: none, `option httplog`, or `option
// httplog clf`, each only with a `log` target (HAProxy logs nothing
// without one).
const (
	logNone = iota
	logHTTP
	logCLF
)

// frontendLogMode reads the frontend's log options.
func frontendLogMode(m *FrontendModel) (mode uint8, dontLogNull bool) {
	if m.Log == "" || m.Mode != "http" {
		return logNone, false
	}
	o, ok := m.Options.Get("httplog")
	if !ok {
		return logNone, false
	}
	mode = logHTTP
	if len(o.Args) == 1 && o.Args[0] == "clf" {
		mode = logCLF
	}
	return mode, m.Options.Has("dontlognull")
}

// logging reports whether requests on this connection are recorded: a hook
// is set, or the frontend logs and its logger takes info lines (the
// engine's default logger takes none, so benchmarks and tests without a
// logger pay nothing).
func (cc *clientConn) logging() bool {
	return cc.p.onRequest != nil ||
		cc.fe.logMode != logNone && cc.p.log.Logger.IsLevelEnabled(logrus.InfoLevel)
}

// beginLog starts the record of the request just parsed.
func (cc *clientConn) beginLog() {
	if !cc.logging() {
		return
	}
	req := &cc.req
	cc.log = RequestLog{Accept: cc.tFirst, Method: string(req.Method), URI: string(req.URI),
		Minor: req.Minor, HTTP2: cc.h2, Tq: cc.p.now().Sub(cc.tFirst), Tw: -1, Tc: -1, Tr: -1,
		Term: [2]byte{termNone, phaseNone}, Cookie: [2]byte{'-', '-'}}
}

// logRequest completes the record of the request that ended and emits it:
// to the RequestLog hook, and as HAProxy's httplog line at info level
// through Options.Log when the frontend logs.
func (cc *clientConn) logRequest(be *backend, srv *server) {
	l := &cc.log
	p := cc.p
	l.ActConn = int(p.activeConns())
	l.FeConn = int(cc.fe.c.sessCur.Load())
	if be != nil {
		l.BeConn = max(int(be.c.sessCur.Load())-1, 0)
		l.BackendQueue = int(be.queued.Load())
	}
	if srv != nil {
		l.SrvConn = int(srv.c.sessCur.Load())
		if l.Term[1] != phaseConnect {
			l.SrvConn = max(l.SrvConn-1, 0)
		}
		l.SrvQueue = int(srv.queued.Load())
	}
	// Timeouts are written in lower case, as HAProxy's 'c' and 's'.
	switch {
	case l.Status == 408 && l.Term[0] == termClient,
		l.Status == 504 && l.Term[0] == termServer,
		l.Status == 503 && l.Term[0] == termServer && l.Term[1] == phaseQueue:
		l.Term[0] += 'a' - 'A'
	}
	if l.Cookie == [2]byte{} {
		l.Cookie = [2]byte{'-', '-'}
	}
	if p.onRequest != nil {
		p.onRequest(l)
	}
	fe := cc.fe
	if fe.logMode == logNone || !p.log.Logger.IsLevelEnabled(logrus.InfoLevel) {
		return
	}
	// dontlognull: a connection that sent nothing is not logged.
	if fe.dontLogNull && l.Method == "" && cc.w == cc.r {
		return
	}
	hl := l.httpLog(cc.src)
	buf := getBuf()[:0]
	if fe.logMode == logCLF {
		buf = hl.AppendCLF(buf)
	} else {
		buf = hl.AppendTo(buf)
	}
	p.log.Info(string(buf))
	putBuf(buf)
}

var httpVersions = [...]string{"HTTP/1.0", "HTTP/1.1"}

// httpLog converts the record for the logfmt package.
func (l *RequestLog) httpLog(src netip.AddrPort) logfmt.HTTPLog {
	h := logfmt.HTTPLog{
		Client: src, Date: l.Accept, Frontend: l.Frontend, Backend: l.Backend,
		TR: logfmt.Ms(l.Tq), Tw: logfmt.Ms(l.Tw), Tc: logfmt.Ms(l.Tc), Tr: logfmt.Ms(l.Tr), Ta: logfmt.Ms(l.Ta),
		Status: l.Status, BytesRead: l.BytesRead,
		TermState: [4]byte{l.Term[0], l.Term[1], l.Cookie[0], l.Cookie[1]},
		ActConn:   l.ActConn, FeConn: l.FeConn, BeConn: l.BeConn, SrvConn: l.SrvConn,
		Retries: l.Retries, Redispatched: l.Redisp, SrvQueue: l.SrvQueue, BackendQueue: l.BackendQueue,
		Method: l.Method, URI: l.URI,
	}
	if l.Server != "<NOSRV>" {
		h.Server = l.Server
	}
	switch {
	case l.Method == "":
	case l.HTTP2:
		h.Version = "HTTP/2.0"
	case l.Minor >= 0 && l.Minor < len(httpVersions):
		h.Version = httpVersions[l.Minor]
	}
	return h
}

// cookieLog is the persistence part of the termination state (the third
// and fourth characters of %tsc).
func (t *txn) cookieLog() [2]byte {
	if t.be.ck == nil {
		return [2]byte{'-', '-'}
	}
	var c [2]byte
	switch {
	case !t.seen.found:
		c[0] = 'N'
	case t.seen.expired:
		c[0] = 'E'
	case t.direct:
		c[0] = 'V'
	case t.be.byCookie[string(t.seen.value)] != nil:
		c[0] = 'D' // the server it names is down or in maintenance
	default:
		c[0] = 'I'
	}
	c[1] = t.ckOp
	if c[1] == 0 {
		c[1] = 'N'
	}
	return c
}
