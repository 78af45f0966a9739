package proxy

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"haappliance/config"
	"haappliance/proxy/acl"
)

// Validate returns every problem of the proxy configuration, with key paths
// such as backend.ms1.server[0].weight. It has no side effects (ACL pattern
// files named with -f are read).
func (c *Config) Validate() []config.Problem {
	v := &validator{c: c}
	v.defaults()
	names := map[string]string{} // section name → kind, for collisions
	for _, n := range sortedKeys(c.Frontends) {
		v.name("frontend", n, names)
		v.section("frontend", n, c.Frontends[n])
	}
	for _, n := range sortedKeys(c.Backends) {
		v.name("backend", n, names)
		v.section("backend", n, c.Backends[n])
	}
	for _, n := range sortedKeys(c.Listens) {
		v.name("listen", n, names)
		v.section("listen", n, c.Listens[n])
	}
	v.binds()
	v.userlists()
	return v.ps
}

type validator struct {
	c  *Config
	ps []config.Problem
}

func (v *validator) add(path, format string, args ...any) {
	v.ps = append(v.ps, config.Problemf(path, format, args...))
}

// name checks a section name and its uniqueness: a frontend and a backend
// may share a name (as in HAProxy), a listen section may not share its name.
func (v *validator) name(kind, n string, seen map[string]string) {
	path := kind + "." + n
	if n == "" || strings.IndexFunc(n, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r))
	}) >= 0 {
		v.add(path, "invalid name '%s' (letters, digits, '-', '_', '.' and ':' only)", n)
	}
	if prev, ok := seen[n]; ok && (prev == "listen" || kind == "listen") {
		v.add(path, "%s '%s' has the same name as %s '%s'", kind, n, prev, n)
	}
	seen[n] = kind
}

// defaults checks [defaults]: keys that need a named section are refused.
func (v *validator) defaults() {
	d := &v.c.Defaults
	p := "defaults"
	refuse := func(set bool, key string) {
		if set {
			v.add(p+"."+key, "'%s' is not allowed in [defaults]", key)
		}
	}
	refuse(len(d.Bind) > 0, "bind")
	refuse(len(d.ACL) > 0, "acl")
	refuse(len(d.UseBackend) > 0, "use_backend")
	refuse(len(d.HTTPRequest) > 0, "http_request")
	refuse(len(d.HTTPResponse) > 0, "http_response")
	refuse(len(d.Server) > 0, "server")
	refuse(d.TLS != nil, "tls")
	refuse(d.Stats != nil, "stats")
	v.mode(p, d.Mode)
	v.options(p, d.Option, true, true)
	if d.MaxConn != nil && *d.MaxConn < 0 {
		v.add(p+".maxconn", "must be 0 or more")
	}
	v.backendKeys(p, d)
	if d.DefaultServer != nil {
		v.server(p+".default_server", d.DefaultServer, true)
	}
}

func (v *validator) mode(path, m string) {
	switch m {
	case "", "http", "tcp":
	default:
		v.add(path+".mode", "unknown mode '%s' (expected 'http' or 'tcp')", m)
	}
}

func (v *validator) section(kind, name string, s *Section) {
	p := kind + "." + name
	if s == nil {
		return
	}
	fe, be := kind != "backend", kind != "frontend"
	v.mode(p, s.Mode)
	v.options(p, s.Option, fe, be)
	if s.Log != "" && s.Log != "global" {
		v.add(p+".log", "only 'global' is supported (got '%s')", s.Log)
	}
	refuse := func(set bool, key, where string) {
		if set {
			v.add(p+"."+key, "'%s' is only allowed in %s sections", key, where)
		}
	}
	if !fe {
		refuse(len(s.Bind) > 0, "bind", "frontend or listen")
		refuse(s.AcceptProxy != nil, "accept_proxy", "frontend or listen")
		refuse(s.MaxConn != nil, "maxconn", "frontend or listen")
		refuse(len(s.UseBackend) > 0, "use_backend", "frontend or listen")
		refuse(s.DefaultBackend != "", "default_backend", "frontend or listen")
		refuse(s.TLS != nil, "tls", "frontend or listen")
		refuse(s.Stats != nil, "stats", "frontend or listen")
	}
	if !be {
		refuse(s.Balance != "", "balance", "backend or listen")
		refuse(s.HashType != "", "hash_type", "backend or listen")
		refuse(s.Cookie != nil, "cookie", "backend or listen")
		refuse(s.HTTPCheck != nil, "httpchk", "backend or listen")
		refuse(s.Retries != nil, "retries", "backend or listen")
		refuse(s.DefaultServer != nil, "default_server", "backend or listen")
		refuse(len(s.Server) > 0, "server", "backend or listen")
	}
	if fe {
		v.frontendKeys(kind, name, s)
	}
	if be {
		v.backendKeys(p, s)
		if s.DefaultServer != nil {
			v.server(p+".default_server", s.DefaultServer, true)
		}
		v.servers(p, s)
	}
	v.httpRules(kind, name, s) // validate_l7.go
}

func (v *validator) frontendKeys(kind, name string, s *Section) {
	p := kind + "." + name
	if len(s.Bind) == 0 {
		v.add(p+".bind", "%s '%s' has no 'bind' address", kind, name)
	}
	for i, b := range s.Bind {
		if _, err := parseBind(b); err != nil {
			v.add(config.Index(p+".bind", i), "%v", err)
		}
	}
	if s.MaxConn != nil && *s.MaxConn < 0 {
		v.add(p+".maxconn", "must be 0 or more")
	}
	if s.TLS != nil {
		v.tls(p+".tls", resolveMode(s, &v.c.Defaults), s.TLS)
	}
	set := v.aclSet()
	v.aclErrors(p+".acl", set.AddLines(s.ACL))
	rules, err := acl.ParseUseBackends(set, s.UseBackend)
	v.aclErrors(p+".use_backend", err)
	for i, r := range rules {
		v.backendRef(config.Index(p+".use_backend", i), kind, name, s, r.Backend)
	}
	if s.DefaultBackend != "" {
		v.backendRef(p+".default_backend", kind, name, s, s.DefaultBackend)
	} else if kind == "frontend" && v.c.Defaults.DefaultBackend != "" {
		v.backendRef(p+".default_backend", kind, name, s, v.c.Defaults.DefaultBackend)
	}
	if st := s.Stats; st != nil {
		sp := p + ".stats"
		if st.URI != "" && !strings.HasPrefix(st.URI, "/") {
			v.add(sp+".uri", "must start with '/' (got '%s')", st.URI)
		}
		for i, a := range st.Auth {
			if u, _, ok := strings.Cut(a, ":"); !ok || u == "" {
				v.add(config.Index(sp+".auth", i), "expected 'user:password' (got '%s')", a)
			}
		}
		if strings.ContainsAny(st.Realm, "\"\r\n") {
			v.add(sp+".realm", "must not contain quotes or line breaks")
		}
	}
}

// aclErrors turns the joined errors of the acl package into problems,
// using each error's Index to point at the failing line.
func (v *validator) aclErrors(path string, err error) {
	if err == nil {
		return
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var ae *acl.Error
		if errors.As(e, &ae) {
			v.add(config.Index(path, ae.Index), "%s", ae.Msg)
		} else {
			v.add(path, "%v", e)
		}
	}
}

// backendRef checks that a frontend's backend exists with a compatible mode.
func (v *validator) backendRef(path, kind, fname string, fs *Section, bname string) {
	var bs *Section
	if s, ok := v.c.Backends[bname]; ok {
		bs = s
	} else if s, ok := v.c.Listens[bname]; ok {
		bs = s
	} else {
		v.add(path, "unable to find required backend '%s'", bname)
		return
	}
	if bs == nil {
		return
	}
	d := &v.c.Defaults
	if fm, bm := resolveMode(fs, d), resolveMode(bs, d); fm != bm {
		v.add(path, "unable to use backend '%s' (mode %s) from %s '%s' (mode %s)", bname, bm, kind, fname, fm)
	}
}

func (v *validator) options(path string, opts []string, fe, be bool) {
	for i, s := range opts {
		o, _, err := parseOption(s)
		p := config.Index(path+".option", i)
		if err != nil {
			v.add(p, "%v", err)
			continue
		}
		spec := knownOptions[o.Name]
		switch {
		case !fe && !spec.backend:
			v.add(p, "'option %s' is only allowed in frontend or listen sections", o.Name)
		case !be && !spec.frontend:
			v.add(p, "'option %s' is only allowed in backend or listen sections", o.Name)
		}
	}
}

// parseBind parses "ADDR:PORT", "*:PORT", ":PORT" or "[V6]:PORT" into the
// address net.Listen takes.
func parseBind(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("invalid bind address '%s' (expected ADDR:PORT, *:PORT or [::]:PORT)", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("invalid port '%s' in bind address '%s'", port, s)
	}
	if host == "*" {
		host = ""
	}
	if host != "" && net.ParseIP(host) == nil {
		return "", fmt.Errorf("bind address '%s': '%s' is not an IP address", s, host)
	}
	return net.JoinHostPort(host, port), nil
}

// binds reports a non-zero port bound by two sections.
func (v *validator) binds() {
	seen := map[string]string{}
	check := func(kind string, m map[string]*Section) {
		for _, n := range sortedKeys(m) {
			if m[n] == nil {
				continue
			}
			for i, b := range m[n].Bind {
				addr, err := parseBind(b)
				if err != nil || strings.HasSuffix(addr, ":0") {
					continue
				}
				if prev, ok := seen[addr]; ok {
					v.add(config.Index(kind+"."+n+".bind", i), "address '%s' is already bound by %s", b, prev)
				}
				seen[addr] = kind + " '" + n + "'"
			}
		}
	}
	check("frontend", v.c.Frontends)
	check("listen", v.c.Listens)
}
