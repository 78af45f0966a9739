package proxy

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"

	"haappliance/proxy/acl"
)

// frontend is the run-time form of a FrontendModel.
type frontend struct {
	name     string
	model    *FrontendModel
	mode     string
	sem      chan struct{} // frontend maxconn; nil: unlimited
	routes   []route
	def      *backend
	t        Timeouts
	opts     OptionSet
	fwd      *ForwardFor
	stats    *statsPage
	disabled atomic.Bool
	c        counters
}

// route is a use_backend rule.
type route struct {
	cond *acl.Cond
	be   *backend
}

func newFrontend(m *FrontendModel, backends map[string]*backend, users map[string]*Userlist) (*frontend, error) {
	f := &frontend{name: m.Name, model: m, mode: m.Mode, t: m.Timeouts, opts: m.Options}
	if m.MaxConn > 0 {
		f.sem = make(chan struct{}, m.MaxConn)
	}
	set := acl.NewSet()
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

// statsPage answers the stats URI behind basic authentication. The page
// itself belongs to the observability issue, which replaces this.
type statsPage struct {
	uri   string
	realm string
	auth  map[string]string // "Basic base64" → user
}

func newStatsPage(c *StatsConfig) *statsPage {
	s := &statsPage{uri: c.StatsURI(), realm: c.StatsRealm(), auth: map[string]string{}}
	for _, a := range c.Auth {
		u, _, _ := strings.Cut(a, ":")
		s.auth["Basic "+base64.StdEncoding.EncodeToString([]byte(a))] = u
	}
	return s
}

// matches reports whether uri addresses the stats page (HAProxy matches the
// URI prefix).
func (s *statsPage) matches(uri []byte) bool {
	return strings.HasPrefix(string(uri), s.uri)
}

// authorized checks an Authorization header value.
func (s *statsPage) authorized(v []byte) bool {
	if len(s.auth) == 0 {
		return true
	}
	if len(v) < 6 || !equalFoldStr(v[:6], "basic ") {
		return false
	}
	_, ok := s.auth["Basic "+string(trimSpace(v[6:]))]
	return ok
}

const statsPlaceholder = "stats page: not implemented yet (observability issue)\n"
