package proxy

import (
	"fmt"
	"net"
	"sync/atomic"
	"time"
)

// AdminState is a server's administrative state (runtime API "set server
// B/S state").
type AdminState uint8

const (
	Ready AdminState = iota // takes traffic
	Drain                   // no new traffic, persistent requests still served
	Maint                   // no traffic at all
)

func (a AdminState) String() string {
	return [...]string{"ready", "drain", "maint"}[a]
}

// ParseAdminState parses "ready", "drain" or "maint".
func ParseAdminState(s string) (AdminState, error) {
	switch s {
	case "ready":
		return Ready, nil
	case "drain":
		return Drain, nil
	case "maint":
		return Maint, nil
	}
	return 0, fmt.Errorf("unknown server state '%s' (expected ready, drain or maint)", s)
}

// server is one server of a backend: its configuration, run-time state and
// counters. It implements balance.Target.
type server struct {
	be          *backend
	idx         int
	name        string
	addr        string
	cookie      string
	backup      bool
	maxconn     int
	maxqueue    int
	sendProxy   bool
	sendProxyV2 bool

	weight     atomic.Int32  // user weight, 0..256
	down       atomic.Bool   // health: false = UP
	admin      atomic.Uint32 // AdminState
	cur        atomic.Int64  // connection slots in use
	queued     atomic.Int64  // requests waiting in this server's queue
	queueMax   atomic.Int64
	lastChange atomic.Int64 // unix nanoseconds of the last state change
	retired    atomic.Bool  // replaced by a reload: its connections are not pooled

	q      waitQueue // guarded by be.mu
	pool   connPool
	dialer serverDialer
	c      counters
}

func newServer(be *backend, idx int, m ServerModel, now time.Time) *server {
	s := &server{
		be: be, idx: idx, name: m.Name, addr: m.Address, cookie: m.Cookie,
		backup: m.Backup, maxconn: m.MaxConn, maxqueue: m.MaxQueue,
		sendProxy: m.SendProxy, sendProxyV2: m.SendProxyV2,
	}
	s.dialer = newServerDialer(m.Address, be.opts.Has("tcpka") || be.opts.Has("srvtcpka"))
	s.weight.Store(int32(m.Weight))
	if m.Disabled {
		s.admin.Store(uint32(Maint))
	}
	s.lastChange.Store(now.UnixNano())
	s.pool.max = 1024
	if m.MaxConn > 0 {
		s.pool.max = m.MaxConn
	}
	return s
}

// Usable reports whether the server takes new traffic: UP and ready.
func (s *server) Usable() bool {
	return !s.down.Load() && AdminState(s.admin.Load()) == Ready
}

// Weight is the current user weight.
func (s *server) Weight() int { return int(s.weight.Load()) }

// Backup reports a backup server.
func (s *server) Backup() bool { return s.backup }

// Active is the number of connections plus the requests queued on it.
func (s *server) Active() int { return int(s.cur.Load() + s.queued.Load()) }

// Full reports that maxconn is reached.
func (s *server) Full() bool { return s.maxconn > 0 && s.cur.Load() >= int64(s.maxconn) }

// persistOK reports whether a request that names this server by cookie may
// go to it: UP (or "option persist") and not in maintenance; drain allows
// persistent requests.
func (s *server) persistOK(persist bool) bool {
	if AdminState(s.admin.Load()) == Maint {
		return false
	}
	return !s.down.Load() || persist
}

// status is the stats page word for the server's state.
func (s *server) status() string {
	switch {
	case AdminState(s.admin.Load()) == Maint:
		return "MAINT"
	case s.down.Load():
		return "DOWN"
	case AdminState(s.admin.Load()) == Drain:
		return "DRAIN"
	}
	// Weight 0 stays UP, as in HAProxy's stats: the weight column tells.
	return "UP"
}

// dial opens a new connection to the server within timeout (0: none).
func (s *server) dial(timeout time.Duration) (net.Conn, error) {
	return s.dialer.dial(timeout) // dial.go
}

// ServerStats is a server's part of a Snapshot.
type ServerStats struct {
	Name       string
	Address    string
	Status     string // UP, DOWN, MAINT, DRAIN
	Admin      AdminState
	Weight     int
	Backup     bool
	MaxConn    int
	MaxQueue   int
	QueueCur   int64
	QueueMax   int64
	IdleConns  int
	LastChange time.Time
	Counters
}

func (s *server) stats() ServerStats {
	return ServerStats{
		Name: s.name, Address: s.addr, Status: s.status(),
		Admin: AdminState(s.admin.Load()), Weight: s.Weight(), Backup: s.backup,
		MaxConn: s.maxconn, MaxQueue: s.maxqueue,
		QueueCur: s.queued.Load(), QueueMax: s.queueMax.Load(),
		IdleConns:  s.pool.len(),
		LastChange: time.Unix(0, s.lastChange.Load()),
		Counters:   s.c.snapshot(),
	}
}
