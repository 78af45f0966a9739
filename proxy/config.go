package proxy

import "haappliance/config"

// Config is the proxy part of the haappliance file: the [defaults],
// [frontend.NAME], [backend.NAME], [listen.NAME] and [userlist.NAME]
// sections, plus the global values the proxy needs. The TOML decoder fills
// it; Validate reports every problem; Resolve applies [defaults] and splits
// listen sections into a frontend and a backend of the same name.
type Config struct {
	Defaults  Section              `toml:"defaults"`
	Frontends map[string]*Section  `toml:"frontend"`
	Backends  map[string]*Section  `toml:"backend"`
	Listens   map[string]*Section  `toml:"listen"`
	Userlists map[string]*Userlist `toml:"userlist"`

	// Global values, set by cmd from [global] (not TOML keys of this struct).
	GlobalMaxConn int `toml:"-"`
}

// Section is one defaults, frontend, backend or listen section as written.
// Pointer and nil-slice fields mean "not set here", so [defaults] can supply
// them; Resolve does the inheritance.
type Section struct {
	// Frontend side.
	Bind           []string     `toml:"bind"`
	AcceptProxy    *bool        `toml:"accept_proxy"`
	MaxConn        *int         `toml:"maxconn"`
	ACL            []string     `toml:"acl"`
	UseBackend     []string     `toml:"use_backend"`
	DefaultBackend string       `toml:"default_backend"`
	HTTPRequest    []string     `toml:"http_request"`
	HTTPResponse   []string     `toml:"http_response"`
	TLS            *TLSConfig   `toml:"tls"`
	Stats          *StatsConfig `toml:"stats"`

	// Both sides.
	Mode    string   `toml:"mode"`
	Log     string   `toml:"log"`
	Option  []string `toml:"option"`
	Timeout Timeouts `toml:"timeout"`

	// Backend side.
	Balance       string         `toml:"balance"`
	HashType      string         `toml:"hash_type"`
	Cookie        *CookieConfig  `toml:"cookie"`
	HTTPCheck     *HTTPCheck     `toml:"httpchk"`
	Retries       *int           `toml:"retries"`
	DefaultServer *ServerConfig  `toml:"default_server"`
	Server        []ServerConfig `toml:"server"`
}

// Timeouts are HAProxy's timeouts. Unset ones are zero.
type Timeouts struct {
	Connect       config.Duration `toml:"connect"`
	Client        config.Duration `toml:"client"`
	Server        config.Duration `toml:"server"`
	HTTPRequest   config.Duration `toml:"http_request"`
	HTTPKeepAlive config.Duration `toml:"http_keep_alive"`
	Queue         config.Duration `toml:"queue"`
	Check         config.Duration `toml:"check"`
	Tunnel        config.Duration `toml:"tunnel"`
	ClientFin     config.Duration `toml:"client_fin"`
	ServerFin     config.Duration `toml:"server_fin"`
}

// CookieConfig is HAProxy's `cookie` line.
type CookieConfig struct {
	Name     string          `toml:"name"`
	Mode     string          `toml:"mode"` // insert (default) | rewrite | prefix
	Indirect bool            `toml:"indirect"`
	NoCache  bool            `toml:"nocache"`
	PostOnly bool            `toml:"postonly"`
	HTTPOnly bool            `toml:"httponly"`
	Secure   bool            `toml:"secure"`
	Domain   []string        `toml:"domain"`
	MaxIdle  config.Duration `toml:"maxidle"`
	MaxLife  config.Duration `toml:"maxlife"`
	Preserve bool            `toml:"preserve"`
}

// HTTPCheck is HAProxy's `option httpchk` with `http-check expect status`.
type HTTPCheck struct {
	Method       string `toml:"method"`         // default OPTIONS, as HAProxy
	URI          string `toml:"uri"`            // default "/"
	Version      string `toml:"version"`        // default "HTTP/1.0"
	Host         string `toml:"host"`           // Host header, sent with HTTP/1.1
	ExpectStatus string `toml:"expect_status"`  // "200", "200-399", empty = 2xx and 3xx pass
	DisableOn404 bool   `toml:"disable_on_404"` // HAProxy's http-check disable-on-404
}

// ServerConfig is one `server` line. Pointer fields are "not set", so
// default_server can supply them.
type ServerConfig struct {
	Name        string          `toml:"name"`
	Address     string          `toml:"address"`
	Weight      *int            `toml:"weight"`
	MaxConn     *int            `toml:"maxconn"`
	MaxQueue    *int            `toml:"maxqueue"`
	Cookie      string          `toml:"cookie"`
	Check       *bool           `toml:"check"`
	Inter       config.Duration `toml:"inter"`
	FastInter   config.Duration `toml:"fastinter"`
	DownInter   config.Duration `toml:"downinter"`
	Rise        *int            `toml:"rise"`
	Fall        *int            `toml:"fall"`
	Backup      *bool           `toml:"backup"`
	Disabled    *bool           `toml:"disabled"`
	SendProxy   *bool           `toml:"send_proxy"`
	SendProxyV2 *bool           `toml:"send_proxy_v2"`
}

// TLSConfig terminates TLS on a frontend.
type TLSConfig struct {
	Certificates []string `toml:"certificates"` // PEM files or folders (cert+key+chain), chosen by SNI
	ALPN         []string `toml:"alpn"`         // default ["h2", "http/1.1"]
	MinVersion   string   `toml:"min_version"`  // "1.2" (default) or "1.3"
}

// StatsConfig enables the stats page on a listen or frontend section.
type StatsConfig struct {
	URI         string          `toml:"uri"` // default "/haproxy?stats" as HAProxy
	Refresh     config.Duration `toml:"refresh"`
	Realm       string          `toml:"realm"`
	Auth        []string        `toml:"auth"` // "user:password"
	Admin       bool            `toml:"admin"`
	HideVersion bool            `toml:"hide_version"`
}

// Userlist is HAProxy's userlist section for `auth` and `http_auth()`.
type Userlist struct {
	Users []User `toml:"user"`
}

// User is one user of a userlist: Password is plain text, or a crypt(3)
// SHA-512 hash ("$6$...") when Insecure is false and it starts with '$'.
type User struct {
	Name     string   `toml:"name"`
	Password string   `toml:"password"`
	Groups   []string `toml:"groups"`
}
