package proxy

import "sync/atomic"

// counters are the atomic traffic counters of a frontend, a backend or a
// server (HAProxy's stats columns scur/smax/stot, bin/bout, req_tot,
// hrsp_*, ereq/econ/eresp, wretr/wredis, dreq).
type counters struct {
	sessCur   atomic.Int64
	sessMax   atomic.Int64
	sessTotal atomic.Uint64
	bytesIn   atomic.Uint64
	bytesOut  atomic.Uint64
	requests  atomic.Uint64
	resp      [6]atomic.Uint64 // 1xx, 2xx, 3xx, 4xx, 5xx, other
	errReq    atomic.Uint64
	errConn   atomic.Uint64
	errResp   atomic.Uint64
	retries   atomic.Uint64
	redisp    atomic.Uint64
	denied    atomic.Uint64
	cliAborts atomic.Uint64
	srvAborts atomic.Uint64
}

// Counters is a snapshot of counters.
type Counters struct {
	SessCur, SessMax int64
	SessTotal        uint64
	BytesIn          uint64 // from the client (requests)
	BytesOut         uint64 // to the client (responses)
	Requests         uint64
	Responses        [6]uint64 // by class: 1xx, 2xx, 3xx, 4xx, 5xx, other
	ErrReq           uint64    // bad requests, client timeouts
	ErrConn          uint64    // failed server connections
	ErrResp          uint64    // bad or aborted server responses
	Retries          uint64
	Redispatches     uint64
	Denied           uint64
	ClientAborts     uint64
	ServerAborts     uint64
}

func (c *counters) sessionStart() {
	n := c.sessCur.Add(1)
	c.sessTotal.Add(1)
	for {
		m := c.sessMax.Load()
		if n <= m || c.sessMax.CompareAndSwap(m, n) {
			return
		}
	}
}

func (c *counters) sessionEnd() { c.sessCur.Add(-1) }

func (c *counters) response(status int) {
	i := status/100 - 1
	if i < 0 || i > 4 {
		i = 5
	}
	c.resp[i].Add(1)
}

func (c *counters) snapshot() Counters {
	s := Counters{
		SessCur:      c.sessCur.Load(),
		SessMax:      c.sessMax.Load(),
		SessTotal:    c.sessTotal.Load(),
		BytesIn:      c.bytesIn.Load(),
		BytesOut:     c.bytesOut.Load(),
		Requests:     c.requests.Load(),
		ErrReq:       c.errReq.Load(),
		ErrConn:      c.errConn.Load(),
		ErrResp:      c.errResp.Load(),
		Retries:      c.retries.Load(),
		Redispatches: c.redisp.Load(),
		Denied:       c.denied.Load(),
		ClientAborts: c.cliAborts.Load(),
		ServerAborts: c.srvAborts.Load(),
	}
	for i := range c.resp {
		s.Responses[i] = c.resp[i].Load()
	}
	return s
}
