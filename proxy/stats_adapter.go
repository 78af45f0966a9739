package proxy

import (
	"fmt"
	"sort"

	"haappliance/proxy/stats"
)

// ServerCheck is what the health checks (outside the engine) say about a
// server, for its stats row: the last check and the check counters.
type ServerCheck struct {
	Check       stats.Check
	Failed      uint64 // chkfail
	Transitions uint64 // chkdown: UP→DOWN transitions
}

// StatsSnapshot fills the stats package's neutral model from the engine's
// atomic counters: one stats.Proxy per section name (a listen section, or a
// frontend and a backend of the same name, form one proxy with FRONTEND,
// server and BACKEND rows), in name order, numbered from 1 as HAProxy's
// iid. It is not on the hot path (pages, CSV, scrapes).
func (p *Proxy) StatsSnapshot() stats.Snapshot {
	rt := p.rt.Load()
	var snap stats.Snapshot
	if p.opts.Info != nil {
		snap.Info = p.opts.Info()
	}
	snap.Info.Now = p.now()
	snap.Info.Maxconn = rt.model.GlobalMaxConn
	snap.Info.CurrConns = p.activeConns()
	snap.Info.Stopping = p.closing.Load()
	p.mu.Lock()
	snap.Info.Listeners = len(p.listeners)
	p.mu.Unlock()

	names := make([]string, 0, len(rt.frontends)+len(rt.backends))
	seen := map[string]bool{}
	for _, f := range rt.frontends {
		names, seen[f.name] = append(names, f.name), true
	}
	for _, b := range rt.backends {
		if !seen[b.name] {
			names = append(names, b.name)
		}
	}
	sort.Strings(names)
	for i, name := range names {
		px := stats.Proxy{Name: name, ID: i + 1}
		if f := rt.feByName[name]; f != nil {
			px.Mode = f.mode
			fs := f.statsFrontend()
			px.Frontend = &fs
			snap.Info.CumConns += fs.ConnTotal
			snap.Info.CumReq += fs.Requests
			snap.Info.BytesOut += fs.BytesOut
		}
		if b := rt.beByName[name]; b != nil {
			px.Mode = b.mode
			px.Servers = make([]stats.Server, 0, len(b.servers))
			for j, s := range b.servers {
				px.Servers = append(px.Servers, p.statsServer(b, s, j+1))
			}
			bs := b.statsBackend(px.Servers)
			px.Backend = &bs
		}
		snap.Proxies = append(snap.Proxies, px)
	}
	snap.Info.Jobs = int(snap.Info.CurrConns) + snap.Info.Listeners
	return snap
}

func statsCounters(c Counters) stats.Counters {
	return stats.Counters{
		SessCur: c.SessCur, SessMax: c.SessMax, SessTotal: c.SessTotal,
		BytesIn: c.BytesIn, BytesOut: c.BytesOut,
		DeniedReq: c.Denied, ErrReq: c.ErrReq, ErrConn: c.ErrConn, ErrResp: c.ErrResp,
		Retries: c.Retries, Redispatch: c.Redispatches, Requests: c.Requests,
		Responses: c.Responses, ClientAborts: c.ClientAborts, ServerAborts: c.ServerAborts,
	}
}

func (f *frontend) statsFrontend() stats.Frontend {
	fs := f.snapshot()
	return stats.Frontend{Counters: statsCounters(fs.Counters), Status: fs.Status,
		MaxConn: fs.MaxConn, ConnTotal: fs.SessTotal}
}

// statsServer is one server row; its status word follows HAProxy's
// stats_fill_sv_stats with the health counter of the check when there is
// one.
func (p *Proxy) statsServer(b *backend, s *server, id int) stats.Server {
	ss := s.stats()
	out := stats.Server{
		Counters: statsCounters(ss.Counters), Name: ss.Name, ID: id,
		Addr: ss.Address, Cookie: s.cookie, Weight: ss.Weight, UWeight: ss.Weight,
		Backup: ss.Backup, MaxConn: ss.MaxConn, MaxQueue: ss.MaxQueue,
		QueueCur: ss.QueueCur, QueueMax: ss.QueueMax, LastChange: ss.LastChange,
		LbTotal: ss.SessTotal, IdleConns: ss.IdleConns,
		UsedConns: int(s.cur.Load()),
	}
	var ck *ServerCheck
	if p.opts.CheckInfo != nil {
		if c, ok := p.opts.CheckInfo(b.name, s.name); ok {
			ck = &c
			out.Check = &c.Check
			out.ChkFail, out.ChkDown = c.Failed, c.Transitions
		}
	}
	out.Status = serverStatusWord(s.down.Load(), AdminState(s.admin.Load()), ck)
	return out
}

// serverStatusWord is HAProxy 2.6's status column of a server: MAINT,
// DRAIN, "UP 1/3" (failing checks, still up), "DOWN 1/2" (passing checks,
// still down), UP, DOWN, or "no check" for an up server without checks.
func serverStatusWord(down bool, admin AdminState, ck *ServerCheck) string {
	if admin == Maint {
		return "MAINT"
	}
	var rise, fall, health int
	if ck != nil {
		rise, fall, health = ck.Check.Rise, ck.Check.Fall, ck.Check.Health
	}
	if !down {
		going := ck != nil && rise > 0 && health < rise+fall-1
		switch {
		case admin == Drain && going:
			return fmt.Sprintf("DRAIN %d/%d", health-rise+1, fall)
		case admin == Drain:
			return "DRAIN"
		case going:
			return fmt.Sprintf("UP %d/%d", health-rise+1, fall)
		case ck == nil:
			return "no check"
		}
		return "UP"
	}
	if ck != nil && health > 0 && health < rise {
		return fmt.Sprintf("DOWN %d/%d", health, rise)
	}
	return "DOWN"
}

// statsBackend is the BACKEND row, with the weights and counts of the
// server rows already built.
func (b *backend) statsBackend(servers []stats.Server) stats.Backend {
	bs := b.stats()
	out := stats.Backend{
		Counters: statsCounters(bs.Counters), Status: bs.Status, Algo: bs.Balance,
		QueueCur: bs.QueueCur, QueueMax: bs.QueueMax, Active: bs.Active, Backup: bs.Backup,
		Weight: bs.Weight,
	}
	if len(servers) == 0 {
		out.Status = "UP" // HAProxy: a backend without servers (a stats listener) is UP
	}
	if b.ck != nil {
		out.Cookie = b.ck.name
	}
	for i := range servers {
		s := &servers[i]
		out.UWeight += s.UWeight
		out.LbTotal += s.LbTotal
		out.Connect += s.Connect
		out.ChkDown += s.ChkDown
		if s.LastChange.After(out.LastChange) {
			out.LastChange = s.LastChange
		}
	}
	return out
}
