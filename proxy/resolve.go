package proxy

import (
	"errors"
	"sort"
	"strings"

	"haappliance/config"
)

// Resolve validates c and builds its Model: [defaults] supplies every key a
// frontend, backend or listen section does not set (options merge, "no
// NAME" removes an inherited option), a listen section becomes a frontend and
// a backend of the same name, and servers get default_server and HAProxy's
// defaults.
func (c *Config) Resolve() (*Model, error) {
	if ps := c.Validate(); len(ps) > 0 {
		msgs := make([]string, len(ps))
		for i, p := range ps {
			msgs[i] = p.String()
		}
		return nil, errors.New("proxy configuration: " + strings.Join(msgs, "; "))
	}
	m := &Model{Userlists: c.Userlists, GlobalMaxConn: c.GlobalMaxConn}
	d := &c.Defaults
	for _, name := range sortedKeys(c.Frontends) {
		m.Frontends = append(m.Frontends, resolveFrontend(name, c.Frontends[name], d, false))
	}
	for _, name := range sortedKeys(c.Backends) {
		m.Backends = append(m.Backends, resolveBackend(name, c.Backends[name], d, false))
	}
	for _, name := range sortedKeys(c.Listens) {
		s := c.Listens[name]
		fe := resolveFrontend(name, s, d, true)
		if s.DefaultBackend == "" {
			fe.DefaultBackend = name
		}
		m.Frontends = append(m.Frontends, fe)
		m.Backends = append(m.Backends, resolveBackend(name, s, d, true))
	}
	sort.Slice(m.Frontends, func(i, j int) bool { return m.Frontends[i].Name < m.Frontends[j].Name })
	sort.Slice(m.Backends, func(i, j int) bool { return m.Backends[i].Name < m.Backends[j].Name })
	return m, nil
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func orString(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func orInt(v, def *int, fallback int) int {
	if v != nil {
		return *v
	}
	if def != nil {
		return *def
	}
	return fallback
}

func orBool(v, def *bool) bool {
	if v != nil {
		return *v
	}
	return def != nil && *def
}

func resolveMode(s, d *Section) string {
	return orString(s.Mode, orString(d.Mode, DefaultMode))
}

func mergeTimeouts(s, d Timeouts) Timeouts {
	pick := func(a, b config.Duration) config.Duration {
		if a.IsSet() {
			return a
		}
		return b
	}
	return Timeouts{
		Connect:       pick(s.Connect, d.Connect),
		Client:        pick(s.Client, d.Client),
		Server:        pick(s.Server, d.Server),
		HTTPRequest:   pick(s.HTTPRequest, d.HTTPRequest),
		HTTPKeepAlive: pick(s.HTTPKeepAlive, d.HTTPKeepAlive),
		Queue:         pick(s.Queue, d.Queue),
		Check:         pick(s.Check, d.Check),
		Tunnel:        pick(s.Tunnel, d.Tunnel),
		ClientFin:     pick(s.ClientFin, d.ClientFin),
		ServerFin:     pick(s.ServerFin, d.ServerFin),
	}
}

func resolveFrontend(name string, s, d *Section, listen bool) *FrontendModel {
	fe := &FrontendModel{
		Name:           name,
		Listen:         listen,
		Mode:           resolveMode(s, d),
		Bind:           s.Bind,
		AcceptProxy:    orBool(s.AcceptProxy, d.AcceptProxy),
		MaxConn:        orInt(s.MaxConn, d.MaxConn, 0),
		ACL:            s.ACL,
		UseBackend:     s.UseBackend,
		DefaultBackend: orString(s.DefaultBackend, d.DefaultBackend),
		HTTPRequest:    s.HTTPRequest,
		HTTPResponse:   s.HTTPResponse,
		TLS:            s.TLS,
		Stats:          s.Stats,
		Log:            orString(s.Log, d.Log),
		Options:        frontendOptions(mergeOptions(d.Option, s.Option)),
		Timeouts:       mergeTimeouts(s.Timeout, d.Timeout),
	}
	return fe
}

// frontendOptions keeps the options that apply to a frontend.
func frontendOptions(os OptionSet) OptionSet {
	out := OptionSet{}
	for _, o := range os {
		if knownOptions[o.Name].frontend {
			out = append(out, o)
		}
	}
	return out
}

func backendOptions(os OptionSet) OptionSet {
	out := OptionSet{}
	for _, o := range os {
		if knownOptions[o.Name].backend {
			out = append(out, o)
		}
	}
	return out
}

func resolveBackend(name string, s, d *Section, listen bool) *BackendModel {
	be := &BackendModel{
		Name:      name,
		Listen:    listen,
		Mode:      resolveMode(s, d),
		Balance:   orString(s.Balance, d.Balance),
		HashType:  orString(s.HashType, d.HashType),
		Cookie:    s.Cookie,
		HTTPCheck: s.HTTPCheck,
		Retries:   orInt(s.Retries, d.Retries, DefaultRetries),
		Log:       orString(s.Log, d.Log),
		Options:   backendOptions(mergeOptions(d.Option, s.Option)),
		Timeouts:  mergeTimeouts(s.Timeout, d.Timeout),
	}
	if be.Cookie == nil {
		be.Cookie = d.Cookie
	}
	if be.HTTPCheck == nil {
		be.HTTPCheck = d.HTTPCheck
	}
	if !listen {
		be.HTTPRequest, be.HTTPResponse = s.HTTPRequest, s.HTTPResponse
		be.ACL = s.ACL
	}
	for i := range s.Server {
		be.Servers = append(be.Servers, resolveServer(&s.Server[i], s.DefaultServer, d.DefaultServer))
	}
	return be
}

// resolveServer fills srv from the section's default_server, then the
// defaults section's, then HAProxy's defaults.
func resolveServer(srv, sec, def *ServerConfig) ServerModel {
	var empty ServerConfig
	if sec == nil {
		sec = &empty
	}
	if def == nil {
		def = &empty
	}
	ds := func(a, b, c config.Duration) config.Duration {
		switch {
		case a.IsSet():
			return a
		case b.IsSet():
			return b
		}
		return c
	}
	i3 := func(a, b, c *int, fb int) int {
		if a != nil {
			return *a
		}
		return orInt(b, c, fb)
	}
	b3 := func(a, b, c *bool) bool {
		if a != nil {
			return *a
		}
		return orBool(b, c)
	}
	inter := ds(srv.Inter, sec.Inter, def.Inter).Or(DefaultInter)
	return ServerModel{
		Name:        srv.Name,
		Address:     srv.Address,
		Weight:      i3(srv.Weight, sec.Weight, def.Weight, DefaultWeight),
		MaxConn:     i3(srv.MaxConn, sec.MaxConn, def.MaxConn, 0),
		MaxQueue:    i3(srv.MaxQueue, sec.MaxQueue, def.MaxQueue, 0),
		Cookie:      srv.Cookie,
		Check:       b3(srv.Check, sec.Check, def.Check),
		Inter:       inter,
		FastInter:   ds(srv.FastInter, sec.FastInter, def.FastInter).Or(inter),
		DownInter:   ds(srv.DownInter, sec.DownInter, def.DownInter).Or(inter),
		Rise:        i3(srv.Rise, sec.Rise, def.Rise, DefaultRise),
		Fall:        i3(srv.Fall, sec.Fall, def.Fall, DefaultFall),
		Backup:      b3(srv.Backup, sec.Backup, def.Backup),
		Disabled:    b3(srv.Disabled, sec.Disabled, def.Disabled),
		SendProxy:   b3(srv.SendProxy, sec.SendProxy, def.SendProxy),
		SendProxyV2: b3(srv.SendProxyV2, sec.SendProxyV2, def.SendProxyV2),
	}
}
