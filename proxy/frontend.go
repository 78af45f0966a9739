package proxy

import (
	"fmt"
	"sync/atomic"

	"haappliance/proxy/acl"
)

// frontend is the run-time form of a FrontendModel.
type frontend struct {
	name   string
	model  *FrontendModel
	mode   string
	sem    chan struct{} // frontend maxconn; nil: unlimited
	routes []route
	def    *backend
	t      Timeouts
	opts   OptionSet
	// keepAlive: option tcpka or clitcpka, SO_KEEPALIVE on accepted
	// connections.
	keepAlive bool
	fwd       *ForwardFor
	stats     *statsPage
	disabled  atomic.Bool
	c         counters

	logMode     uint8 // logNone, logHTTP, logCLF (reqlog.go)
	dontLogNull bool

	rules      httpRules    // http_request/http_response (httprules.go)
	tls        *tlsFrontend // TLS termination (tls.go); nil: plain
	tlsLogName string       // name + "~"
}

// route is a use_backend rule.
type route struct {
	cond *acl.Cond
	be   *backend
}

func newFrontend(m *FrontendModel, backends map[string]*backend, users map[string]*Userlist) (*frontend, error) {
	f := &frontend{name: m.Name, model: m, mode: m.Mode, t: m.Timeouts, opts: m.Options,
		keepAlive: m.Options.Has("tcpka") || m.Options.Has("clitcpka")}
	f.logMode, f.dontLogNull = frontendLogMode(m)
	if m.MaxConn > 0 {
		f.sem = make(chan struct{}, m.MaxConn)
	}
	set, err := newACLSet(users)
	if err != nil {
		return nil, err
	}
	if err := set.AddLines(m.ACL); err != nil {
		return nil, fmt.Errorf("frontend '%s': %w", m.Name, err)
	}
	rules, err := acl.ParseUseBackends(set, m.UseBackend)
	if err != nil {
		return nil, fmt.Errorf("frontend '%s': %w", m.Name, err)
	}
	for _, r := range rules {
		be := backends[r.Backend]
		if be == nil {
			return nil, fmt.Errorf("frontend '%s': unknown backend '%s'", m.Name, r.Backend)
		}
		f.routes = append(f.routes, route{cond: r.Cond, be: be})
	}
	if m.DefaultBackend != "" {
		if f.def = backends[m.DefaultBackend]; f.def == nil {
			return nil, fmt.Errorf("frontend '%s': unknown backend '%s'", m.Name, m.DefaultBackend)
		}
	}
	if o, ok := m.Options.Get("forwardfor"); ok {
		ff, err := parseForwardFor(o.Args)
		if err != nil {
			return nil, err
		}
		f.fwd = &ff
	}
	if m.Stats != nil {
		f.stats = newStatsPage(m.Stats)
	}
	if err := f.initL7(m, set); err != nil {
		return nil, err
	}
	return f, nil
}

// backendFor routes a request: the first use_backend rule whose condition
// holds, else default_backend (nil when there is none).
func (f *frontend) backendFor(smp acl.Sample) *backend {
	for i := range f.routes {
		if f.routes[i].cond.Eval(smp) {
			return f.routes[i].be
		}
	}
	return f.def
}

// FrontendStats is a frontend's part of a Snapshot.
type FrontendStats struct {
	Name    string
	Mode    string
	Status  string // OPEN, FULL or STOP
	MaxConn int
	Counters
}

func (f *frontend) snapshot() FrontendStats {
	st := FrontendStats{Name: f.name, Mode: f.mode, Status: "OPEN", MaxConn: f.model.MaxConn, Counters: f.c.snapshot()}
	switch {
	case f.disabled.Load():
		st.Status = "STOP"
	case f.sem != nil && len(f.sem) >= cap(f.sem):
		st.Status = "FULL"
	}
	return st
}
