package proxy

import (
	"net"
	"time"

	"haappliance/proxy/balance"
)

// connect opens the server connection of a TCP session. srv's slot is
// held. A failed connect is retried up to `retries` times; HAProxy 2.6's
// rules (src/backend.c back_handle_st_cer) decide when a retry goes to
// another server under option redispatch:
//
//   - at once, when the session is free to go anywhere: the algorithm is
//     not a hash (source) and more than one active server is usable, or the
//     failed server is no longer usable;
//   - otherwise on the last retry, after the turn-around delays.
//
// A retry on the same server waits HAProxy's turn-around delay of
// min(timeout connect, 1s) minus the time the failed attempt took. It
// returns the connection and the server finally used (whose slot is
// held), or the last error and the server whose slot is still held (nil
// when a redispatch found no server).
func (s *tcpSession) connect(be *backend, srv *server, key balance.Key) (net.Conn, *server, error) {
	p, l := s.p, &s.rec
	to := be.t.Connect.D()
	for attempt := 0; ; attempt++ {
		began := time.Now()
		c, err := srv.dialer.dialDirect(to) // dial_linux.go
		if err == nil {
			return c, srv, nil
		}
		srv.c.errConn.Add(1)
		be.c.errConn.Add(1)
		p.log.WithError(err).Debugf("connect to %s/%s failed", be.name, srv.name)
		if attempt >= be.retries || p.closing.Load() {
			return nil, srv, err
		}
		srv.c.retries.Add(1)
		be.c.retries.Add(1)
		l.retries++
		if be.redisp && (attempt+1 == be.retries || s.freeToMove(be, srv)) {
			srv.c.sessionEnd()
			be.release(srv)
			ns, aerr := be.assign(nil, key, srv, p.done)
			if aerr != nil {
				return nil, nil, err
			}
			ns.c.sessionStart()
			if ns != srv {
				be.c.redisp.Add(1)
				ns.c.redisp.Add(1)
				l.redisp = true
				srv = ns
				continue
			}
			srv = ns
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

// freeToMove reports whether a failed connect may go to another server at
// once: the failed server stopped being usable, or the algorithm is not a
// hash and more than one active server is usable.
func (s *tcpSession) freeToMove(be *backend, srv *server) bool {
	if !srv.Usable() {
		return true
	}
	if be.alg.Kind.Hashed() {
		return false
	}
	act, _ := be.usableCounts()
	return act > 1
}
