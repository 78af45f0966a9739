package proxy

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"haappliance/proxy/balance"
)

// backend is the run-time form of a BackendModel. It is mode neutral: the
// HTTP engine and the TCP engine both assign servers with assign/release.
type backend struct {
	rules    httpRules // http_request/http_response (httprules.go)
	name     string
	mode     string
	model    *BackendModel
	servers  []*server
	byName   map[string]*server
	byCookie map[string]*server
	alg      balance.Algorithm
	hashIn   balance.HashInput
	lb       *balance.Balancer
	ck       *cookieRule // nil: no persistence cookie
	retries  int
	redisp   bool
	persist  bool
	t        Timeouts
	opts     OptionSet
	fwd      *ForwardFor // option forwardfor of the backend, nil if unset
	limited  bool        // some server has a maxconn: slots go through mu

	mu       sync.Mutex // guards the queues and slot hand-over
	q        waitQueue
	seq      uint64
	queued   atomic.Int64
	queueMax atomic.Int64
	c        counters
}

func newBackend(m *BackendModel, now time.Time) (*backend, error) {
	b := &backend{
		name: m.Name, mode: m.Mode, model: m,
		byName: map[string]*server{}, byCookie: map[string]*server{},
		retries: m.Retries, redisp: m.Options.Has("redispatch"), persist: m.Options.Has("persist"),
		t: m.Timeouts, opts: m.Options,
	}
	alg, err := balance.ParseAlgorithm(m.Balance, m.HashType)
	if err != nil {
		return nil, fmt.Errorf("backend '%s': %w", m.Name, err)
	}
	b.alg, b.hashIn = alg, alg.NeedsHash()
	if o, ok := m.Options.Get("forwardfor"); ok {
		ff, err := parseForwardFor(o.Args)
		if err != nil {
			return nil, fmt.Errorf("backend '%s': %w", m.Name, err)
		}
		b.fwd = &ff
	}
	targets := make([]balance.Target, len(m.Servers))
	for i, sm := range m.Servers {
		s := newServer(b, i, sm, now)
		b.servers = append(b.servers, s)
		b.byName[s.name] = s
		if s.cookie != "" {
			b.byCookie[s.cookie] = s
		}
		if s.maxconn > 0 {
			b.limited = true
		}
		targets[i] = s
	}
	if m.Cookie != nil {
		b.ck = newCookieRule(m.Cookie)
	}
	b.lb = balance.New(alg, targets, m.Options.Has("allbackups"))
	return b, nil
}

// assign picks a server for a request and takes one of its connection
// slots. pref is the server a persistence cookie names (nil: balance with
// key); avoid is a server to steer away from (a redispatch). When every
// candidate is at its maxconn the request waits in a queue for up to
// timeout queue; stop aborts the wait.
func (b *backend) assign(pref *server, key balance.Key, avoid *server, stop <-chan struct{}) (*server, error) {
	if !b.limited {
		if pref == nil {
			var err error
			if pref, err = b.pick(key, avoid); err != nil {
				return nil, ErrNoServer
			}
		}
		pref.cur.Add(1)
		return pref, nil
	}
	b.mu.Lock()
	if pref != nil && !pref.Full() {
		pref.cur.Add(1)
		b.mu.Unlock()
		return pref, nil
	}
	if pref != nil && pref.maxqueue > 0 && pref.queued.Load() >= int64(pref.maxqueue) {
		pref = nil // its queue is full: break persistence, as HAProxy
	}
	if pref == nil {
		s, err := b.pick(key, avoid)
		switch {
		case errors.Is(err, balance.ErrNoServer):
			b.mu.Unlock()
			return nil, ErrNoServer
		case err == nil && !s.Full():
			s.cur.Add(1)
			b.mu.Unlock()
			return s, nil
		case err == nil && (s.maxqueue == 0 || s.queued.Load() < int64(s.maxqueue)):
			pref = s // a hash pick at its maxconn: queue on it
		}
	}
	w := b.enqueue(pref)
	b.mu.Unlock()
	return b.wait(w, b.t.QueueTimeout(), stop)
}

// pick runs the balancer, steering away from one server when another can
// serve (HAProxy's srvtoavoid on redispatch). The algorithms are asked
// again first; if they insist (first, hashes), the next server of the
// current pool after the avoided one is taken.
func (b *backend) pick(key balance.Key, avoid *server) (*server, error) {
	idx, err := b.lb.Pick(key)
	if err != nil {
		return nil, err
	}
	if avoid == nil || b.servers[idx] != avoid {
		return b.servers[idx], nil
	}
	if !b.alg.Kind.Hashed() && b.alg.Kind != balance.First {
		if j, err := b.lb.Pick(key); err == nil && b.servers[j] != avoid {
			return b.servers[j], nil
		}
	}
	pool, _ := b.lb.Pool()
	for k := range pool {
		if pool[k] != avoid.idx {
			continue
		}
		for n := 1; n < len(pool); n++ {
			if s := b.servers[pool[(k+n)%len(pool)]]; !s.Full() {
				return s, nil
			}
		}
	}
	return avoid, nil
}

// release gives back a slot of s and hands it to a waiting request.
func (b *backend) release(s *server) {
	if !b.limited {
		s.cur.Add(-1)
		return
	}
	b.mu.Lock()
	s.cur.Add(-1)
	b.dispatchLocked(s)
	b.mu.Unlock()
}

// serverInPool reports whether s is in the set that takes new traffic:
// an active server, or a backup one while no active server is usable.
func (b *backend) serverInPool(s *server) bool {
	if !s.backup {
		return true
	}
	for _, o := range b.servers {
		if !o.backup && o.Usable() && o.Weight() > 0 {
			return false
		}
	}
	return true
}

// usableCounts returns the usable active and backup servers.
func (b *backend) usableCounts() (act, bck int) {
	for _, s := range b.servers {
		if s.Usable() {
			if s.backup {
				bck++
			} else {
				act++
			}
		}
	}
	return act, bck
}

// Transition describes a server state change for HAProxy's log lines
// ("Server B/S is DOWN ... 1 active and 0 backup servers left. 0 sessions
// active, 0 requeued, 0 remaining in queue.").
type Transition struct {
	Backend, Server string
	Changed         bool  // the state actually changed
	Up              bool  // the new health
	Active, Backup  int   // usable servers after the change
	Sessions        int64 // sessions active on the server
	Requeued        int   // requests moved between the server's and the backend's queue
	Queued          int64 // requests left in the server's queue
	BackendEmpty    bool  // no usable server is left in the backend
}

// changed updates the balancer after a state change of s and moves queued
// requests: out of s when it stopped taking traffic, into it when it can.
func (b *backend) changed(s *server, now time.Time) (requeued int) {
	s.lastChange.Store(now.UnixNano())
	b.lb.Update()
	b.mu.Lock()
	if s.Usable() {
		before := b.queued.Load()
		b.dispatchLocked(s)
		requeued = int(before - b.queued.Load())
	} else if AdminState(s.admin.Load()) == Maint || s.down.Load() {
		requeued = b.redistributeLocked(s)
	}
	// Other servers may now serve the backend queue (e.g. backups).
	for _, o := range b.servers {
		if o != s && o.Usable() {
			b.dispatchLocked(o)
		}
	}
	b.mu.Unlock()
	if !s.Usable() && AdminState(s.admin.Load()) == Maint {
		s.pool.closeAll()
	}
	return requeued
}

func (b *backend) setHealth(s *server, up bool, now time.Time) Transition {
	t := Transition{Backend: b.name, Server: s.name, Up: up}
	if s.down.Load() == up {
		s.down.Store(!up)
		t.Changed = true
		t.Requeued = b.changed(s, now)
		if !up {
			s.pool.closeAll()
		}
	}
	t.Active, t.Backup = b.usableCounts()
	t.BackendEmpty = t.Active+t.Backup == 0
	t.Sessions = s.cur.Load()
	t.Queued = s.queued.Load()
	return t
}

func (b *backend) setAdmin(s *server, st AdminState, now time.Time) {
	if AdminState(s.admin.Swap(uint32(st))) != st {
		b.changed(s, now)
	}
}

func (b *backend) setWeight(s *server, w int, now time.Time) error {
	if w < 0 || w > MaxWeight {
		return fmt.Errorf("weight must be between 0 and %d", MaxWeight)
	}
	if int(s.weight.Swap(int32(w))) != w {
		b.changed(s, now)
	}
	return nil
}

// BackendStats is a backend's part of a Snapshot.
type BackendStats struct {
	Name     string
	Mode     string
	Status   string // UP or DOWN
	Balance  string
	Active   int // usable active servers
	Backup   int // usable backup servers
	Weight   int // total weight of the usable servers
	QueueCur int64
	QueueMax int64
	Counters
	Servers []ServerStats
}

func (b *backend) stats() BackendStats {
	st := BackendStats{Name: b.name, Mode: b.mode, Balance: b.alg.String(),
		QueueCur: b.queued.Load(), QueueMax: b.queueMax.Load(), Counters: b.c.snapshot()}
	st.Active, st.Backup = b.usableCounts()
	for _, s := range b.servers {
		if s.Usable() {
			st.Weight += s.Weight()
		}
		st.Servers = append(st.Servers, s.stats())
	}
	// HAProxy: a backend is UP while its usable servers have some weight
	// (all at weight 0 take no traffic: DOWN), or when it has no servers.
	st.Status = "UP"
	if st.Weight == 0 && len(b.servers) > 0 {
		st.Status = "DOWN"
	}
	return st
}

func storeMax(m *atomic.Int64, n int64) {
	for {
		o := m.Load()
		if n <= o || m.CompareAndSwap(o, n) {
			return
		}
	}
}
