package proxy

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"haappliance/proxy/proxyproto"
)

// listener is one bound address. Its frontend can be swapped by Reload
// while the socket stays open.
type listener struct {
	key      string // the address as given to Listen
	ln       net.Listener
	fe       atomic.Pointer[frontend]
	quit     chan struct{}
	stopOnce sync.Once
}

func (l *listener) stop() {
	l.stopOnce.Do(func() {
		close(l.quit)
		_ = l.ln.Close()
	})
}

// openListener binds addr (a bind entry) for f, or reuses the listener a
// previous generation opened on the same address. Called with p.mu held.
func (p *Proxy) openListener(bind string, f *frontend) (*listener, error) {
	addr, err := parseBind(bind)
	if err != nil {
		return nil, err
	}
	ln, err := p.opts.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("frontend '%s': cannot bind %s: %w", f.name, bind, err)
	}
	key := bind
	if _, port, _ := net.SplitHostPort(addr); port == "0" {
		key = ln.Addr().String() // several port-0 binds are distinct
	}
	l := &listener{key: key, ln: ln, quit: make(chan struct{})}
	l.fe.Store(f)
	p.listeners[key] = l
	return l, nil
}

// acceptLoop accepts connections while the frontend and the process have
// free connection slots: when maxconn is reached it stops calling Accept,
// so new connections wait in the kernel backlog, as HAProxy does.
func (p *Proxy) acceptLoop(l *listener) {
	defer p.loops.Done()
	var delay time.Duration
	for {
		f := l.fe.Load()
		if !p.acquire(f, l.quit) {
			return
		}
		c, err := l.ln.Accept()
		if err != nil {
			p.releaseSlot(f)
			select {
			case <-l.quit:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: back off as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			p.log.WithError(err).Warnf("frontend '%s': accept failed; retrying in %v", f.name, delay)
			select {
			case <-time.After(delay):
			case <-l.quit:
				return
			}
			continue
		}
		delay = 0
		if cur := l.fe.Load(); cur != f {
			// A reload swapped the frontend while Accept waited: move the
			// connection's slot to the new generation.
			p.releaseSlot(f)
			f = cur
			if !p.acquire(f, l.quit) {
				_ = c.Close()
				return
			}
		}
		if f.disabled.Load() {
			_ = c.Close()
			p.releaseSlot(f)
			continue
		}
		// Go has set TCP_NODELAY on the connection already.
		if f.keepAlive {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetKeepAlive(true) // SO_KEEPALIVE with the system's timers, as HAProxy
			}
		}
		p.handlers.Add(1)
		go p.serveConn(c, f)
	}
}

// acquire takes a global and a frontend connection slot, waiting while
// either limit is reached; false when quit closes first.
func (p *Proxy) acquire(f *frontend, quit <-chan struct{}) bool {
	if p.global != nil {
		select {
		case p.global <- struct{}{}:
		case <-quit:
			return false
		}
	}
	if f.sem != nil {
		select {
		case f.sem <- struct{}{}:
		case <-quit:
			if p.global != nil {
				<-p.global
			}
			return false
		}
	}
	return true
}

func (p *Proxy) releaseSlot(f *frontend) {
	if f.sem != nil {
		<-f.sem
	}
	if p.global != nil {
		<-p.global
	}
}

// serveConn runs one client connection to its end, or until it parks
// idle (idle.go): the parker then owns its session count, slots and
// handler count, which connDone releases when it ends.
func (p *Proxy) serveConn(c net.Conn, f *frontend) {
	f.c.sessionStart()
	if f.mode == "tcp" {
		p.serveTCP(c, f) // L4 mode: tcp_session.go
		p.connDone(f)
		return
	}
	if f.model.AcceptProxy {
		pc, err := proxyproto.NewConn(c, f.t.HTTPRequestTimeout())
		if err != nil {
			p.log.WithError(err).Debugf("frontend '%s': bad PROXY header", f.name)
			f.c.errReq.Add(1)
			_ = c.Close()
			p.connDone(f)
			return
		}
		c = pc
	}
	if f.tls != nil {
		tc := p.handshakeTLS(c, f)
		if tc == nil {
			p.connDone(f)
			return
		}
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			p.serveH2(tc, f) // h2.go
			p.connDone(f)
			return
		}
		c = tc
	}
	cc := newClientConn(p, f, c)
	cc.smp.ssl = f.tls != nil
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = c.Close()
		p.connDone(f)
		return
	}
	p.conns[cc] = struct{}{}
	p.mu.Unlock()
	p.runClient(cc)
}

// Reload builds cfg and swaps it in: listeners on addresses that stay are
// kept (their sockets never close), new addresses are bound, addresses that
// went away are closed; servers keep their health, admin state and idle
// connections when their backend, name and address are unchanged. A bad
// configuration leaves the running one untouched.
func (p *Proxy) Reload(cfg *Config) error {
	m, err := cfg.Resolve()
	if err != nil {
		return err
	}
	rt, err := p.build(m)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	old := p.rt.Load()
	if !p.started {
		carryOver(old, rt)
		p.rt.Store(rt)
		retire(old)
		return nil
	}
	want := map[string]*frontend{}
	for _, f := range rt.frontends {
		if f.mode != "http" && f.mode != "tcp" {
			continue
		}
		for _, b := range f.model.Bind {
			want[b] = f
		}
	}
	var opened []*listener
	for key, f := range want {
		if _, ok := p.listeners[key]; ok {
			continue
		}
		l, err := p.openListener(key, f)
		if err != nil {
			for _, o := range opened {
				o.stop()
				delete(p.listeners, o.key)
			}
			return err
		}
		opened = append(opened, l)
	}
	carryOver(old, rt)
	p.rt.Store(rt)
	retire(old)
	for key, l := range p.listeners {
		if f, ok := want[key]; ok {
			l.fe.Store(f)
		} else if !containsListener(opened, l) {
			l.stop()
			delete(p.listeners, key)
		}
	}
	for _, l := range opened {
		p.loops.Add(1)
		go p.acceptLoop(l)
	}
	return nil
}

func containsListener(ls []*listener, l *listener) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// carryOver copies server state from the old generation to the new one.
func carryOver(old, rt *runtime) {
	for _, nb := range rt.backends {
		ob := old.beByName[nb.name]
		if ob == nil {
			continue
		}
		for _, ns := range nb.servers {
			os := ob.byName[ns.name]
			if os == nil || os.addr != ns.addr {
				continue
			}
			ns.down.Store(os.down.Load())
			ns.lastChange.Store(os.lastChange.Load())
			os.pool.mu.Lock()
			ns.pool.idle, os.pool.idle = os.pool.idle, nil
			os.pool.mu.Unlock()
			for _, sc := range ns.pool.idle {
				sc.srv = ns
			}
		}
		nb.lb.Update()
	}
}

// retire stops the old generation's servers from pooling connections and
// closes the idle ones that were not carried over.
func retire(old *runtime) {
	for _, b := range old.backends {
		for _, s := range b.servers {
			s.retired.Store(true)
			s.pool.closeAll()
		}
	}
}
