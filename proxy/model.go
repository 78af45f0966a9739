package proxy

import "time"

// Model is a resolved configuration: [defaults] applied, listen sections
// split, server defaults filled in. It is what the engine is built from and
// what `haappliance check -v` or golden tests print.
type Model struct {
	Frontends     []*FrontendModel // sorted by name
	Backends      []*BackendModel  // sorted by name
	Userlists     map[string]*Userlist
	GlobalMaxConn int
}

// FrontendModel is one frontend (or the frontend half of a listen section).
type FrontendModel struct {
	Name           string
	Listen         bool // came from a [listen.NAME] section
	Mode           string
	Bind           []string
	AcceptProxy    bool
	MaxConn        int // 0: only the global limit applies
	ACL            []string
	UseBackend     []string
	DefaultBackend string
	HTTPRequest    []string
	HTTPResponse   []string
	TLS            *TLSConfig
	Stats          *StatsConfig
	Log            string
	Options        OptionSet
	Timeouts       Timeouts
}

// BackendModel is one backend (or the backend half of a listen section).
type BackendModel struct {
	Name         string
	Listen       bool
	Mode         string
	Balance      string
	HashType     string
	Cookie       *CookieConfig
	HTTPCheck    *HTTPCheck
	Retries      int
	ACL          []string // named ACLs for the backend's own rules
	HTTPRequest  []string
	HTTPResponse []string
	Log          string
	Options      OptionSet
	Timeouts     Timeouts
	Servers      []ServerModel
}

// ServerModel is one server with default_server and HAProxy's defaults
// applied.
type ServerModel struct {
	Name        string
	Address     string
	Weight      int
	MaxConn     int
	MaxQueue    int
	Cookie      string
	Check       bool
	Inter       time.Duration
	FastInter   time.Duration
	DownInter   time.Duration
	Rise        int
	Fall        int
	Backup      bool
	Disabled    bool
	SendProxy   bool
	SendProxyV2 bool
}

// HAProxy's defaults for values a configuration leaves out.
const (
	DefaultRetries  = 3
	DefaultWeight   = 1
	DefaultInter    = 2 * time.Second
	DefaultRise     = 2
	DefaultFall     = 3
	DefaultStatsURI = "/haproxy?stats"
	DefaultMode     = "tcp" // HAProxy's default when no mode is set anywhere
	MaxWeight       = 256
)

// Frontend returns the frontend called name, or nil.
func (m *Model) Frontend(name string) *FrontendModel {
	for _, f := range m.Frontends {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Backend returns the backend called name, or nil.
func (m *Model) Backend(name string) *BackendModel {
	for _, b := range m.Backends {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// Effective timeouts, with HAProxy's fallbacks.

// HTTPRequestTimeout is timeout http-request, else timeout client.
func (t Timeouts) HTTPRequestTimeout() time.Duration { return t.HTTPRequest.Or(t.Client.D()) }

// KeepAliveTimeout is timeout http-keep-alive, else http-request, else client.
func (t Timeouts) KeepAliveTimeout() time.Duration {
	return t.HTTPKeepAlive.Or(t.HTTPRequestTimeout())
}

// QueueTimeout is timeout queue, else timeout connect.
func (t Timeouts) QueueTimeout() time.Duration { return t.Queue.Or(t.Connect.D()) }

// TunnelClientTimeout is timeout tunnel, else timeout client.
func (t Timeouts) TunnelClientTimeout() time.Duration { return t.Tunnel.Or(t.Client.D()) }

// TunnelServerTimeout is timeout tunnel, else timeout server.
func (t Timeouts) TunnelServerTimeout() time.Duration { return t.Tunnel.Or(t.Server.D()) }

// StatsURI is the stats page URI with HAProxy's default.
func (s *StatsConfig) StatsURI() string {
	if s.URI == "" {
		return DefaultStatsURI
	}
	return s.URI
}

// StatsRealm is the basic-auth realm with HAProxy's default.
func (s *StatsConfig) StatsRealm() string {
	if s.Realm == "" {
		return "HAProxy Statistics"
	}
	return s.Realm
}

// CookieMode is the cookie mode, "insert" when not set.
func (c *CookieConfig) CookieMode() string {
	if c.Mode == "" {
		return "insert"
	}
	return c.Mode
}
