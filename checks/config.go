package checks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"haappliance/config"
)

// HAProxy's defaults (include/haproxy/defaults.h DEF_CHKINTR, DEF_RISETIME,
// DEF_FALLTIME) and the request of a bare "option httpchk".
const (
	DefaultInter   = 2 * time.Second
	DefaultRise    = 2
	DefaultFall    = 3
	DefaultMethod  = "OPTIONS"
	DefaultURI     = "/"
	DefaultVersion = "HTTP/1.0"
	DefaultExpect  = "200-399"
)

// HTTPCheck is a backend's `httpchk` table. An empty table is HAProxy's bare
// "option httpchk": `OPTIONS / HTTP/1.0`, any 2xx or 3xx passes.
type HTTPCheck struct {
	Method  string `toml:"method"`  // default OPTIONS
	URI     string `toml:"uri"`     // default "/"
	Version string `toml:"version"` // HTTP/1.0 (default) or HTTP/1.1
	Host    string `toml:"host"`    // Host header; required with HTTP/1.1
	// ExpectStatus lists the accepted statuses: "200", "200-299",
	// "200,301-302". Default "200-399", as HAProxy.
	ExpectStatus ExpectStatus `toml:"expect_status"`
	// DisableOn404 is HAProxy's "http-check disable-on-404": a 404 passes the
	// check as L7OKC and puts an UP server in the stopping (NOLB) state.
	DisableOn404 bool `toml:"disable_on_404"`
}

// ExpectStatus is a list of status codes and ranges, written as a string
// ("200-399", "200,204") or a single TOML integer (200).
type ExpectStatus string

// UnmarshalTOML accepts a TOML integer or string.
func (e *ExpectStatus) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case int64:
		*e = ExpectStatus(strconv.FormatInt(x, 10))
	case string:
		*e = ExpectStatus(x)
	default:
		return fmt.Errorf("expect_status must be a string like \"200-399\" or an integer, not %T", v)
	}
	return nil
}

// statusRange is an inclusive range of HTTP status codes.
type statusRange struct{ lo, hi int }

// parseExpect parses a list of codes and ranges separated by commas.
func parseExpect(s string) ([]statusRange, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("empty status list")
	}
	var out []statusRange
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		l, err1 := parseCode(lo)
		h, err2 := parseCode(hi)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("invalid status %q (want codes 100-599 or ranges like 200-399)", part)
		}
		if l > h {
			return nil, fmt.Errorf("invalid status range %q: %d is above %d", part, l, h)
		}
		out = append(out, statusRange{l, h})
	}
	return out, nil
}

func parseCode(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Errorf("bad code")
	}
	return n, nil
}

func (h *HTTPCheck) method() string  { return orString(h.Method, DefaultMethod) }
func (h *HTTPCheck) uri() string     { return orString(h.URI, DefaultURI) }
func (h *HTTPCheck) version() string { return orString(h.Version, DefaultVersion) }
func (h *HTTPCheck) expect() string  { return orString(string(h.ExpectStatus), DefaultExpect) }

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Validate returns every problem of the table, with paths relative to it.
func (h *HTTPCheck) Validate() []config.Problem {
	var ps []config.Problem
	if h.Method != "" && !isToken(h.Method) {
		ps = append(ps, config.Problemf("method", "invalid HTTP method %q", h.Method))
	}
	if h.URI != "" && (!validRequestTarget(h.URI)) {
		ps = append(ps, config.Problemf("uri", "invalid URI %q (must start with \"/\" and hold no spaces or control characters)", h.URI))
	}
	switch h.Version {
	case "", "HTTP/1.0", "HTTP/1.1":
	default:
		ps = append(ps, config.Problemf("version", "unsupported version %q (want HTTP/1.0 or HTTP/1.1)", h.Version))
	}
	if h.Host != "" && !validHost(h.Host) {
		ps = append(ps, config.Problemf("host", "invalid host %q", h.Host))
	}
	if h.Version == "HTTP/1.1" && h.Host == "" {
		ps = append(ps, config.Problemf("host", "version HTTP/1.1 needs a host"))
	}
	if h.ExpectStatus != "" {
		if _, err := parseExpect(string(h.ExpectStatus)); err != nil {
			ps = append(ps, config.Problemf("expect_status", "%v", err))
		}
	}
	return ps
}

// Request returns the bytes of the check request, as HAProxy sends them:
// `GET /healthCheck.html HTTP/1.0` and an empty line; with a host,
// lower-case `host:` and `connection: close` headers.
func (h *HTTPCheck) Request() []byte {
	var b strings.Builder
	b.WriteString(h.method())
	b.WriteByte(' ')
	b.WriteString(h.uri())
	b.WriteByte(' ')
	b.WriteString(h.version())
	b.WriteString("\r\n")
	if h.Host != "" {
		b.WriteString("host: ")
		b.WriteString(h.Host)
		b.WriteString("\r\nconnection: close\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func validRequestTarget(s string) bool {
	if s == "*" {
		return true
	}
	if !strings.HasPrefix(s, "/") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func validHost(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
