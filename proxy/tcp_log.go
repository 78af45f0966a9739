package proxy

import (
	"net"
	"net/netip"
	"time"

	"haappliance/proxy/logfmt"
)

// tcpRecord is what a TCP session records for HAProxy's tcplog line
// (logfmt.TCPLog formats it).
type tcpRecord struct {
	accept   time.Time
	backend  string // "" until a backend is chosen (the line then shows the frontend)
	server   string // "" until a server is reached ("<NOSRV>")
	tw, tc   time.Duration
	term     [2]byte
	bytesOut int64 // server → client
	retries  int
	redisp   bool
	bq       int64 // backend queue ahead of the session when it queued
}

// finish completes the record and emits the tcplog line at info level when
// the frontend has option tcplog and a `log` target (HAProxy logs nothing
// without one, as for httplog). By then the session no longer counts on
// its backend and server, as in HAProxy's line (%bc/%sc exclude it, %ac
// and %fc include it).
func (s *tcpSession) finish(be *backend, srv *server) {
	if !s.fe.opts.Has("tcplog") || s.fe.model.Log == "" {
		return
	}
	p, r := s.p, &s.rec
	l := logfmt.TCPLog{
		Client: s.src, Accept: r.accept, Frontend: s.fe.name,
		Backend: r.backend, Server: r.server,
		Tw: logfmt.Ms(r.tw), Tc: logfmt.Ms(r.tc), Tt: logfmt.Ms(p.now().Sub(r.accept)),
		BytesRead: r.bytesOut, TermState: r.term,
		ActConn: int(p.activeConns()), FeConn: int(s.fe.c.sessCur.Load()),
		Retries: r.retries, Redispatched: r.redisp, BackendQueue: int(r.bq),
	}
	if be != nil {
		l.BeConn = int(be.c.sessCur.Load())
	}
	if srv != nil {
		l.SrvConn = int(srv.c.sessCur.Load())
	}
	p.log.Info(string(l.AppendTo(make([]byte, 0, 160))))
}

// activeConns is HAProxy's actconn: the connections of every frontend.
// (Not len(p.global): each accept loop holds a slot while it waits.)
func (p *Proxy) activeConns() int64 {
	var n int64
	for _, f := range p.rt.Load().frontends {
		n += f.c.sessCur.Load()
	}
	return n
}

// addrPort converts a TCP address, with IPv4-mapped addresses unmapped
// (a "*:PORT" bind is IPv4 in HAProxy). A *net.TCPAddr converts without
// formatting and parsing it.
func addrPort(a interface{ String() string }) netip.AddrPort {
	var ap netip.AddrPort
	if ta, ok := a.(*net.TCPAddr); ok {
		ap = ta.AddrPort()
	} else {
		var err error
		if ap, err = netip.ParseAddrPort(a.String()); err != nil {
			return netip.AddrPort{}
		}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
