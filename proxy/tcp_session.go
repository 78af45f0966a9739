package proxy

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"haappliance/proxy/balance"
	"haappliance/proxy/proxyproto"
)

// tcpSession is one client connection of a mode tcp frontend: no HTTP
// parsing; a server is chosen once per connection and bytes are forwarded
// both ways until both directions end.
type tcpSession struct {
	p      *Proxy
	fe     *frontend
	cc     *clientConn // the engine's registry entry (Shutdown closes it): &ccv
	ccv    clientConn  // (one allocation for the session, its entry and server conn)
	scv    serverConn  // the server connection while forwarding: s.cc.cur
	client net.Conn    // the accepted connection (a *net.TCPConn normally)
	src    netip.AddrPort
	dst    netip.AddrPort // the address the client connected to
	pre    []byte         // bytes read past an accepted PROXY header
	smp    tcpSample
	rec    tcpRecord
}

// tcpSample is the acl.Sample of a TCP connection: only the source address
// is known (HTTP fetches see an empty request, as HAProxy's L4 rules do).
type tcpSample struct{ src netip.Addr }

func (s *tcpSample) Method() []byte              { return nil }
func (s *tcpSample) URI() []byte                 { return nil }
func (s *tcpSample) Path() []byte                { return nil }
func (s *tcpSample) Query() []byte               { return nil }
func (s *tcpSample) NumHeaders() int             { return 0 }
func (s *tcpSample) Header(int) (name, v []byte) { return nil, nil }
func (s *tcpSample) Src() netip.Addr             { return s.src }
func (s *tcpSample) SSL() bool                   { return false }
func (s *tcpSample) HTTPMinor() int              { return 0 }

// serveTCP runs one connection of a mode tcp frontend to its end. The
// caller (serveConn) holds the connection slots and the frontend session
// count.
func (p *Proxy) serveTCP(c net.Conn, f *frontend) {
	growStack(0)
	s := &tcpSession{p: p, fe: f, client: c}
	s.ccv = clientConn{p: p, fe: f, conn: c}
	cc := &s.ccv
	s.cc = cc
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = c.Close()
		return
	}
	p.conns[cc] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, cc)
		p.mu.Unlock()
		_ = c.Close()
	}()
	s.rec.accept = p.now()
	if pc, ok := c.(*proxyproto.Conn); ok {
		// The accept loop already consumed the PROXY header: take the
		// plain connection back so that forwarding splices.
		s.client = pc.NetConn()
		s.useProxyHeader(pc)
	} else {
		s.src, s.dst = addrPort(c.RemoteAddr()), addrPort(c.LocalAddr())
		if f.model.AcceptProxy && !s.readProxyHeader() {
			return
		}
	}
	s.smp.src = s.src.Addr()
	s.serve()
}

// readProxyHeader consumes the PROXY header of an accept_proxy bind within
// timeout client. A connection without a valid header is closed, as
// HAProxy does; nothing is logged at info level (it is a connection
// error, not a session).
func (s *tcpSession) readProxyHeader() bool {
	pc, err := proxyproto.NewConn(s.client, s.fe.t.Client.D())
	if err != nil {
		s.fe.c.errReq.Add(1)
		s.p.log.WithError(err).Debugf("frontend '%s': connection from %s dropped: bad PROXY protocol header", s.fe.name, s.src)
		return false
	}
	s.useProxyHeader(pc)
	return true
}

// useProxyHeader takes the addresses of an accepted PROXY header (the
// connection's own for LOCAL or UNKNOWN) and the bytes that followed it.
func (s *tcpSession) useProxyHeader(pc *proxyproto.Conn) {
	s.src, s.dst = addrPort(pc.RemoteAddr()), addrPort(pc.LocalAddr())
	s.pre = pc.Buffered()
}

// serve picks a backend and a server, connects (with retries and
// redispatch), forwards, and logs the tcplog line.
func (s *tcpSession) serve() {
	p, f := s.p, s.fe
	l := &s.rec
	l.tw, l.tc = -1, -1
	be := f.backendFor(&s.smp)
	if be == nil {
		l.term = [2]byte{termProxy, phaseRequest}
		s.giveUp()
		s.finish(nil, nil)
		return
	}
	l.backend = be.name
	be.c.sessionStart()
	key := balance.Key{Src: s.src.Addr()}
	bq, t0 := be.queued.Load(), p.now()
	srv, err := be.assign(nil, key, nil, p.done)
	tw := p.now()
	if err != nil {
		l.term = [2]byte{termServer, phaseConnect}
		if !errors.Is(err, ErrNoServer) {
			l.term = [2]byte{lower(termServer), phaseQueue}
			l.tw = tw.Sub(l.accept)
			l.bq = bq
		}
		be.c.sessionEnd()
		s.giveUp()
		s.finish(be, nil)
		return
	}
	l.tw = tw.Sub(l.accept)
	if tw.Sub(t0) >= time.Millisecond {
		l.bq = bq // it waited: report the queue it joined
	}
	srv.c.sessionStart()
	conn, srv, err := s.connect(be, srv, key)
	if err != nil {
		l.term = [2]byte{termServer, phaseConnect}
		if isTimeout(err) {
			l.term[0] = lower(termServer)
		}
		if srv != nil {
			srv.c.sessionEnd()
			be.release(srv)
			l.server = srv.name
		}
		be.c.sessionEnd()
		s.giveUp()
		s.finish(be, srv)
		return
	}
	l.server = srv.name
	l.tc = p.now().Sub(tw)
	s.scv = serverConn{Conn: conn, srv: srv}
	s.cc.cur.Store(&s.scv)
	s.forward(be, srv, conn)
	s.cc.cur.Store(nil)
	_ = conn.Close()
	srv.c.sessionEnd()
	be.release(srv)
	be.c.sessionEnd()
	s.finish(be, srv)
}

// giveUp ends a session that never reached a server: a FIN to the client
// after its pending input is dropped, so it reads an orderly close.
func (s *tcpSession) giveUp() {
	closeWrite(s.client)
	discardInput(s.client)
}

// forward sends the PROXY header the server wants and the bytes already
// read from the client, then runs the tunnel.
func (s *tcpSession) forward(be *backend, srv *server, conn net.Conn) {
	f := s.fe
	if srv.sendProxy || srv.sendProxyV2 || len(s.pre) > 0 {
		var out []byte
		switch {
		case srv.sendProxyV2:
			out = proxyproto.AppendV2(make([]byte, 0, 64+len(s.pre)), s.src, s.dst)
		case srv.sendProxy:
			out = proxyproto.AppendV1(make([]byte, 0, 64+len(s.pre)), s.src, s.dst)
		}
		out = append(out, s.pre...)
		_ = conn.SetWriteDeadline(deadline(be.t.Server.D()))
		if _, err := conn.Write(out); err != nil {
			s.rec.term = [2]byte{termServer, phaseData}
			srv.c.srvAborts.Add(1)
			be.c.srvAborts.Add(1)
			return
		}
		s.count(be, srv, true, int64(len(s.pre)))
	}
	cto, sto := f.t.Client.D(), be.t.Server.D()
	if tt := be.t.Tunnel.D(); tt > 0 {
		cto, sto = tt, tt
	}
	t := &tcpTunnel{
		cli:     tcpSide{conn: s.client, who: termClient, to: cto, fin: f.t.ClientFin.D()},
		srv:     tcpSide{conn: conn, who: termServer, to: sto, fin: be.t.ServerFin.D()},
		onBytes: func(up bool, n int64) { s.count(be, srv, up, n) },
	}
	s.rec.term = t.run()
	s.rec.bytesOut = t.down.Load()
	switch s.rec.term[0] {
	case termClient, lower(termClient):
		f.c.cliAborts.Add(1)
		be.c.cliAborts.Add(1)
		srv.c.cliAborts.Add(1)
	case termServer, lower(termServer):
		be.c.srvAborts.Add(1)
		srv.c.srvAborts.Add(1)
	}
}

// count adds forwarded bytes to the frontend, backend and server
// counters: up is client→server (HAProxy's bytes in).
func (s *tcpSession) count(be *backend, srv *server, up bool, n int64) {
	if up {
		s.fe.c.bytesIn.Add(uint64(n))
		be.c.bytesIn.Add(uint64(n))
		srv.c.bytesIn.Add(uint64(n))
		return
	}
	s.fe.c.bytesOut.Add(uint64(n))
	be.c.bytesOut.Add(uint64(n))
	srv.c.bytesOut.Add(uint64(n))
}

// tcpStackPad is the frame of growStack: with what serveConn and serveTCP
// use below it, the runtime's stack growth check asks for more than 4 KiB,
// so a 2 KiB goroutine stack grows straight to 8 KiB, which the deepest
// paths of a session fit in (a dial through net.Dialer for a server named
// by host name, the tcplog line through logrus).
const tcpStackPad = 4 << 10

// growStack grows the session goroutine's stack once, while only two
// frames are on it. Left alone, a new goroutine's stack (2 KiB unless the
// runtime's average says more) doubled twice during a session (in the
// balancer and in net.Dialer), and each growth copies the stack and
// adjusts every frame on it: 6.6 % of the CPU of BenchmarkTCPConnRate,
// 2.2 % with this single early growth (docs/performance.md, "L4"). The GC
// shrinks the stack of a long idle tunnel again.
//
//go:noinline
func growStack(i int) byte {
	var pad [tcpStackPad]byte
	pad[i%tcpStackPad] = 1
	return pad[(i+1)%tcpStackPad]
}
