package proxy

import (
	"net"
	"strconv"
	"strings"

	"haappliance/config"
	"haappliance/proxy/balance"
)

// backendKeys checks the backend-side keys of a section (also [defaults]).
func (v *validator) backendKeys(p string, s *Section) {
	for _, pr := range balance.Validate(s.Balance, s.HashType) {
		v.add(p+"."+pr.Path, "%s", pr.Msg)
	}
	if s.Retries != nil && *s.Retries < 0 {
		v.add(p+".retries", "must be 0 or more")
	}
	if c := s.Cookie; c != nil {
		v.cookie(p+".cookie", c)
	}
	if h := s.HTTPCheck; h != nil {
		v.httpCheck(p+".httpchk", h)
	}
}

func (v *validator) cookie(p string, c *CookieConfig) {
	if c.Name == "" {
		v.add(p+".name", "a cookie name is required")
	} else if !isToken(c.Name) {
		v.add(p+".name", "invalid cookie name '%s'", c.Name)
	}
	switch c.Mode {
	case "", "insert":
	case "rewrite", "prefix":
		if c.Indirect {
			v.add(p+".indirect", "'indirect' is only valid in insert mode")
		}
		if c.MaxIdle.IsSet() {
			v.add(p+".maxidle", "'maxidle' is only valid in insert mode")
		}
		if c.MaxLife.IsSet() {
			v.add(p+".maxlife", "'maxlife' is only valid in insert mode")
		}
		if c.Preserve {
			v.add(p+".preserve", "'preserve' is only valid in insert mode")
		}
	default:
		v.add(p+".mode", "unknown cookie mode '%s' (expected 'insert', 'rewrite' or 'prefix')", c.Mode)
	}
	if c.PostOnly && c.Mode != "" && c.Mode != "insert" {
		v.add(p+".postonly", "'postonly' is only valid in insert mode")
	}
	for i, d := range c.Domain {
		if d == "" || strings.ContainsAny(d, " ;,\r\n\t") {
			v.add(config.Index(p+".domain", i), "invalid domain '%s'", d)
		}
	}
}

func (v *validator) httpCheck(p string, h *HTTPCheck) {
	if h.Method != "" && !isToken(h.Method) {
		v.add(p+".method", "invalid method '%s'", h.Method)
	}
	if h.URI != "" && !strings.HasPrefix(h.URI, "/") && h.URI != "*" {
		v.add(p+".uri", "must start with '/' (got '%s')", h.URI)
	}
	switch h.Version {
	case "", "HTTP/1.0", "HTTP/1.1":
	default:
		v.add(p+".version", "expected 'HTTP/1.0' or 'HTTP/1.1' (got '%s')", h.Version)
	}
	if strings.ContainsAny(h.Host, " \r\n") {
		v.add(p+".host", "invalid host '%s'", h.Host)
	}
	if h.ExpectStatus != "" {
		lo, hi, ok := strings.Cut(h.ExpectStatus, "-")
		if !ok {
			hi = lo
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || a < 100 || b > 599 || a > b {
			v.add(p+".expect_status", "expected a status code or a range like '200-399' (got '%s')", h.ExpectStatus)
		}
	}
}

func (v *validator) servers(p string, s *Section) {
	names := map[string]int{}
	cookies := map[string]string{}
	for i := range s.Server {
		srv := &s.Server[i]
		sp := config.Index(p+".server", i)
		v.server(sp, srv, false)
		if srv.Name != "" {
			if j, dup := names[srv.Name]; dup {
				v.add(sp+".name", "server name '%s' is already used by server[%d]", srv.Name, j)
			}
			names[srv.Name] = i
		}
		if srv.Cookie != "" {
			if other, dup := cookies[srv.Cookie]; dup {
				v.add(sp+".cookie", "cookie value '%s' is already used by server '%s'", srv.Cookie, other)
			}
			cookies[srv.Cookie] = srv.Name
		}
	}
}

// server checks one server entry; tmpl is true for default_server, which
// has neither name nor address.
func (v *validator) server(p string, s *ServerConfig, tmpl bool) {
	if tmpl {
		if s.Name != "" {
			v.add(p+".name", "default_server takes no name")
		}
		if s.Address != "" {
			v.add(p+".address", "default_server takes no address")
		}
		if s.Cookie != "" {
			v.add(p+".cookie", "default_server takes no cookie value")
		}
	} else {
		if s.Name == "" {
			v.add(p+".name", "a server name is required")
		} else if strings.ContainsAny(s.Name, " \t/\r\n") {
			v.add(p+".name", "invalid server name '%s'", s.Name)
		}
		if err := checkServerAddress(s.Address); err != "" {
			v.add(p+".address", "%s", err)
		}
		if s.Cookie != "" && !validCookieValue(s.Cookie) {
			v.add(p+".cookie", "invalid cookie value '%s'", s.Cookie)
		}
	}
	if s.Weight != nil && (*s.Weight < 0 || *s.Weight > MaxWeight) {
		v.add(p+".weight", "weight must be between 0 and %d (got %d)", MaxWeight, *s.Weight)
	}
	if s.MaxConn != nil && *s.MaxConn < 0 {
		v.add(p+".maxconn", "must be 0 or more")
	}
	if s.MaxQueue != nil && *s.MaxQueue < 0 {
		v.add(p+".maxqueue", "must be 0 or more")
	}
	if s.Rise != nil && *s.Rise < 1 {
		v.add(p+".rise", "must be 1 or more")
	}
	if s.Fall != nil && *s.Fall < 1 {
		v.add(p+".fall", "must be 1 or more")
	}
	if s.SendProxy != nil && *s.SendProxy && s.SendProxyV2 != nil && *s.SendProxyV2 {
		v.add(p+".send_proxy_v2", "send_proxy and send_proxy_v2 are mutually exclusive")
	}
}

func checkServerAddress(a string) string {
	if a == "" {
		return "a server address (HOST:PORT) is required"
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "invalid server address '" + a + "' (expected HOST:PORT)"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "invalid port '" + port + "' in server address '" + a + "'"
	}
	if host == "" || strings.ContainsAny(host, " /\t") {
		return "invalid host in server address '" + a + "'"
	}
	return ""
}

// validCookieValue: cookie-octets of RFC 6265 §4.1.1, without '|' and '~'
// (HAProxy's date and prefix delimiters).
func validCookieValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' || c == '|' || c == '~' {
			return false
		}
	}
	return true
}
