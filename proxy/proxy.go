package proxy

import (
	"context"
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"haappliance/proxy/stats"
)

// Options are the engine's seams.
type Options struct {
	// Log receives errors and, later, request log lines. Nil: discarded.
	Log *logrus.Entry
	// Listen opens a listener; cmd passes a pool that keeps sockets across
	// reloads. Nil: Listen (plain TCP, not Multipath TCP).
	Listen func(network, addr string) (net.Listener, error)
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// RequestLog, if set, is called with the record of every finished
	// request (tests; frontends with option httplog also log the line).
	RequestLog func(*RequestLog)
	// CheckInfo returns the health check of a server (nil or false: the
	// server is shown "no check"); Info the process part of `show info`;
	// VRRP the VRRP instances for /metrics. All are called when a stats
	// page, a CSV or a scrape is asked for.
	CheckInfo func(backend, server string) (ServerCheck, bool)
	Info      func() stats.Info
	VRRP      func() []stats.VRRPInstance
}

// Proxy is the L7 engine: every frontend, backend and server of a
// configuration. Build it with New, then Start; Shutdown stops it.
type Proxy struct {
	opts      Options
	log       *logrus.Entry
	now       func() time.Time
	onRequest func(*RequestLog)
	probeURI  string // probe.go

	rt atomic.Pointer[runtime]

	mu        sync.Mutex
	listeners map[string]*listener // by address as given to Listen
	conns     map[*clientConn]struct{}
	started   bool
	closed    bool

	done     chan struct{} // closed by Shutdown: stop waiting in queues, stop keep-alive
	closing  atomic.Bool
	global   chan struct{} // global maxconn; nil: unlimited
	tickets  ticketKeys    // TLS session ticket keys (tls.go)
	loops    sync.WaitGroup
	handlers sync.WaitGroup
	parker   *parker // idle keep-alive connections without a goroutine (idle.go); nil: none
}

// runtime is one configuration generation.
type runtime struct {
	model     *Model
	frontends []*frontend
	feByName  map[string]*frontend
	backends  []*backend
	beByName  map[string]*backend
}

// New validates cfg and builds the engine. It starts nothing.
func New(cfg *Config, opts Options) (*Proxy, error) {
	m, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	p := &Proxy{opts: opts, log: opts.Log, now: opts.Now, onRequest: opts.RequestLog,
		listeners: map[string]*listener{}, conns: map[*clientConn]struct{}{}, done: make(chan struct{})}
	if p.log == nil {
		l := logrus.New()
		l.Out = nopWriter{}
		l.SetLevel(logrus.PanicLevel) // nothing is formatted for nobody
		p.log = logrus.NewEntry(l)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.opts.Listen == nil {
		p.opts.Listen = Listen
	}
	p.probeURI = newProbeURI()
	if m.GlobalMaxConn > 0 {
		p.global = make(chan struct{}, m.GlobalMaxConn)
	}
	rt, err := p.build(m)
	if err != nil {
		return nil, err
	}
	p.rt.Store(rt)
	return p, nil
}

type nopWriter struct{}

func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }

func (p *Proxy) build(m *Model) (*runtime, error) {
	rt := &runtime{model: m, feByName: map[string]*frontend{}, beByName: map[string]*backend{}}
	now := p.now()
	for _, bm := range m.Backends {
		b, err := newBackend(bm, now)
		if err != nil {
			return nil, err
		}
		if err := b.initRules(bm, m.Userlists); err != nil {
			return nil, err
		}
		rt.backends = append(rt.backends, b)
		rt.beByName[b.name] = b
	}
	for _, fm := range m.Frontends {
		f, err := newFrontend(fm, rt.beByName, m.Userlists)
		if err != nil {
			return nil, err
		}
		rt.frontends = append(rt.frontends, f)
		rt.feByName[f.name] = f
	}
	if err := p.initTickets(rt); err != nil {
		return nil, err
	}
	return rt, nil
}

// Start binds every frontend's addresses and starts serving. It returns
// once all listeners are open, or the first error (with every listener it
// opened closed again).
func (p *Proxy) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.started {
		return fmt.Errorf("proxy: already started")
	}
	rt := p.rt.Load()
	var opened []*listener
	for _, f := range rt.frontends {
		if f.mode != "http" && f.mode != "tcp" {
			p.log.Warnf("frontend '%s': mode %s is not served by the HTTP engine yet", f.name, f.mode)
			continue
		}
		for _, b := range f.model.Bind {
			l, err := p.openListener(b, f)
			if err != nil {
				for _, o := range opened {
					_ = o.ln.Close()
					delete(p.listeners, o.key)
				}
				return err
			}
			opened = append(opened, l)
		}
	}
	if pk, err := newParker(); err == nil {
		p.parker = pk
		p.loops.Add(1)
		go func() {
			defer p.loops.Done()
			pk.run(p.done)
		}()
	}
	for _, l := range opened {
		p.loops.Add(1)
		go p.acceptLoop(l)
	}
	p.loops.Add(1)
	go p.reaper()
	p.loops.Add(1)
	go p.rotateTickets()
	p.started = true
	return nil
}

// Addr returns the addresses a frontend listens on (tests bind port 0).
func (p *Proxy) Addr(frontend string) []net.Addr {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []net.Addr
	keys := make([]string, 0, len(p.listeners))
	for k := range p.listeners {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		l := p.listeners[k]
		if f := l.fe.Load(); f != nil && f.name == frontend {
			out = append(out, l.ln.Addr())
		}
	}
	return out
}

// Shutdown stops accepting, lets in-flight requests finish until ctx is
// done, then closes every connection; it waits for all goroutines. Order:
// listeners close (new connections stay in the kernel backlog of the next
// process, or are refused); idle keep-alive client connections close at
// once; active ones get "connection: close" on their current response;
// requests waiting in queues get 503; when ctx ends, whatever remains is
// closed. Idle server connections close last.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.closing.Store(true)
	close(p.done)
	for k, l := range p.listeners {
		l.stop()
		delete(p.listeners, k)
	}
	p.mu.Unlock()
	p.loops.Wait()

	var err error
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if p.closeIdle() == 0 {
			break
		}
		select {
		case <-ctx.Done():
			err = ctx.Err()
			p.closeAll()
		case <-tick.C:
			continue
		}
		break
	}
	p.handlers.Wait()
	p.parker.close()
	for _, b := range p.rt.Load().backends {
		for _, s := range b.servers {
			s.pool.closeAll()
		}
	}
	return err
}

// Drain closes the HTTP client connections that sit between requests and
// waits until no HTTP request is in progress, or ctx ends; it returns how
// many were still in progress. The listeners stay open: the caller stops
// new connections first (the appliance does, before a VRRP hand-over, so
// no request is cut when the virtual IP moves to the other host).
func (p *Proxy) Drain(ctx context.Context) int {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	// A connection whose handshake the kernel completed just before new
	// ones were stopped may still wait in the accept queue: the accept
	// loops take it within a few milliseconds, so only a quiet period of
	// drainSettle counts as drained.
	quietSince := time.Time{}
	for {
		p.closeIdle()
		n := p.busy()
		switch {
		case n > 0:
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = time.Now()
		case time.Since(quietSince) >= drainSettle:
			return 0
		}
		select {
		case <-ctx.Done():
			return n
		case <-tick.C:
		}
	}
}

// drainSettle is how long Drain must see no request in progress.
const drainSettle = 10 * time.Millisecond

// busy counts the client connections in a request, and those still in a
// listener's accept queue (a request may already wait in their buffers).
// A detached parked connection being resumed counts too (its request has
// arrived, its clientConn is not in p.conns yet).
func (p *Proxy) busy() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.parker.resumingCount()
	for c := range p.conns {
		if !c.idle.Load() {
			n++
		}
	}
	for _, l := range p.listeners {
		n += acceptBacklog(l.ln)
	}
	return n
}

// closeIdle closes the client connections waiting for a next request and
// returns how many connections remain. Parked connections have no
// goroutine to finish them: the attached ones are claimed from the parker
// and ended here, the detached ones (not in p.conns) closed by the parker.
func (p *Proxy) closeIdle() int {
	p.mu.Lock()
	var parked []*clientConn
	for c := range p.conns {
		if c.idle.Load() {
			if p.parker.claim(c) {
				parked = append(parked, c)
				continue
			}
			_ = c.conn.Close()
		}
	}
	n := len(p.conns)
	p.mu.Unlock()
	for _, c := range parked {
		c.closeConn()
		c.end()
	}
	p.parker.closeDetached()
	return n + p.parker.resumingCount()
}

func (p *Proxy) closeAll() {
	p.mu.Lock()
	var parked []*clientConn
	for c := range p.conns {
		if p.parker.claim(c) {
			parked = append(parked, c)
			continue
		}
		_ = c.conn.Close()
		c.abortServer()
	}
	p.mu.Unlock()
	for _, c := range parked {
		c.closeConn()
		c.end()
	}
	p.parker.closeDetached()
}

// reaper closes server connections idle for longer than their backend's
// keep-alive time, once a second.
func (p *Proxy) reaper() {
	defer p.loops.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		now := p.now()
		for _, b := range p.rt.Load().backends {
			idle := b.serverIdleTimeout()
			for _, s := range b.servers {
				s.pool.reap(now, idle)
			}
		}
	}
}

// serverIdleTimeout is how long an idle server connection is kept: timeout
// http-keep-alive, else timeout server, else HAProxy's pool-purge-delay
// (5s), never more than the latter.
func (b *backend) serverIdleTimeout() time.Duration {
	const purge = 5 * time.Second
	d := b.t.HTTPKeepAlive.Or(b.t.Server.D())
	if d <= 0 || d > purge {
		return purge
	}
	return d
}

// Snapshot returns the counters and states of every frontend, backend and
// server.
type Snapshot struct {
	Frontends []FrontendStats
	Backends  []BackendStats
}

// Snapshot reads the atomic counters; it is cheap and lock-free.
func (p *Proxy) Snapshot() Snapshot {
	rt := p.rt.Load()
	var s Snapshot
	for _, f := range rt.frontends {
		s.Frontends = append(s.Frontends, f.snapshot())
	}
	for _, b := range rt.backends {
		s.Backends = append(s.Backends, b.stats())
	}
	return s
}

func (p *Proxy) lookupServer(backend, server string) (*backend, *server, error) {
	b := p.rt.Load().beByName[backend]
	if b == nil {
		return nil, nil, fmt.Errorf("%w '%s'", ErrUnknownBackend, backend)
	}
	s := b.byName[server]
	if s == nil {
		return nil, nil, fmt.Errorf("%w '%s/%s'", ErrUnknownServer, backend, server)
	}
	return b, s, nil
}

// SetServerHealth records a health-check verdict and returns the counts of
// HAProxy's "Server B/S is DOWN/UP" log line.
func (p *Proxy) SetServerHealth(backend, server string, up bool) (Transition, error) {
	b, s, err := p.lookupServer(backend, server)
	if err != nil {
		return Transition{}, err
	}
	return b.setHealth(s, up, p.now()), nil
}

// SetServerAdmin sets a server ready, drain or maint.
func (p *Proxy) SetServerAdmin(backend, server string, state AdminState) error {
	b, s, err := p.lookupServer(backend, server)
	if err != nil {
		return err
	}
	if state > Maint {
		return fmt.Errorf("invalid admin state %d", state)
	}
	b.setAdmin(s, state, p.now())
	return nil
}

// SetServerWeight changes a server's weight (0..256) at once.
func (p *Proxy) SetServerWeight(backend, server string, w int) error {
	b, s, err := p.lookupServer(backend, server)
	if err != nil {
		return err
	}
	return b.setWeight(s, w, p.now())
}

// SetFrontendEnabled stops or resumes accepting on a frontend (runtime
// "disable frontend" / "enable frontend").
func (p *Proxy) SetFrontendEnabled(name string, on bool) error {
	f := p.rt.Load().feByName[name]
	if f == nil {
		return fmt.Errorf("proxy: no such frontend '%s'", name)
	}
	f.disabled.Store(!on)
	return nil
}
