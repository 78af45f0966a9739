package convert

import (
	"strings"
)

// optSpec describes one haproxy option: the sections it applies to, and
// why it is not carried over when it is not.
type optSpec struct {
	kinds int
	args  bool   // accepts arguments
	why   string // non-empty: not supported, for this reason
}

const (
	strictHTTP = "haappliance's HTTP/1.1 parsing is strict and not configurable (SPEC §5)"
	tcpCheck   = "only TCP-connect and HTTP health checks exist: the servers get a TCP connect check"
)

var options = map[string]optSpec{
	"http-keep-alive":     {kinds: kAll},
	"http-server-close":   {kinds: kAll},
	"httpclose":           {kinds: kAll},
	"forwardfor":          {kinds: kAll, args: true},
	"httplog":             {kinds: kFE | kDefaults, args: true},
	"tcplog":              {kinds: kAll},
	"dontlognull":         {kinds: kFE | kDefaults},
	"log-separate-errors": {kinds: kFE | kDefaults},
	"redispatch":          {kinds: kBE | kDefaults},
	"allbackups":          {kinds: kBE | kDefaults},
	"persist":             {kinds: kBE | kDefaults},
	"log-health-checks":   {kinds: kBE | kDefaults},
	"abortonclose":        {kinds: kBE | kDefaults},
	"tcpka":               {kinds: kAll},
	"clitcpka":            {kinds: kFE | kDefaults},
	"srvtcpka":            {kinds: kBE | kDefaults},
	"nolinger":            {kinds: kAll},
	"splice-auto":         {kinds: kAll},
	"splice-request":      {kinds: kAll},
	"splice-response":     {kinds: kAll},

	"http-buffer-request":          {kinds: kAll, why: "requests are not buffered before a server is chosen"},
	"http-pretend-keepalive":       {kinds: kAll, why: "not needed: haappliance keeps server connections alive itself"},
	"http-no-delay":                {kinds: kAll, why: "not configurable"},
	"http-use-proxy-header":        {kinds: kAll, why: "Proxy-Connection is not interpreted"},
	"http-ignore-probes":           {kinds: kAll, why: "not configurable"},
	"http-restrict-req-hdr-names":  {kinds: kAll, why: strictHTTP},
	"accept-invalid-http-request":  {kinds: kAll, why: strictHTTP},
	"accept-invalid-http-response": {kinds: kAll, why: strictHTTP},
	"h1-case-adjust-bogus-client":  {kinds: kAll, why: "header names are forwarded as received"},
	"h1-case-adjust-bogus-server":  {kinds: kAll, why: "header names are forwarded as received"},
	"disable-h2-upgrade":           {kinds: kAll, why: "HTTP/2 upgrades are not offered"},
	"http-tunnel":                  {kinds: kAll, why: "removed in HAProxy 2.1"},
	"http_proxy":                   {kinds: kAll, why: "forward-proxy mode is not supported"},
	"ssl-hello-chk":                {kinds: kAll, why: tcpCheck},
	"smtpchk":                      {kinds: kAll, why: tcpCheck},
	"mysql-check":                  {kinds: kAll, why: tcpCheck},
	"pgsql-check":                  {kinds: kAll, why: tcpCheck},
	"redis-check":                  {kinds: kAll, why: tcpCheck},
	"ldap-check":                   {kinds: kAll, why: tcpCheck},
	"spop-check":                   {kinds: kAll, why: tcpCheck},
	"tcp-check":                    {kinds: kAll, why: tcpCheck},
	"external-check":               {kinds: kAll, why: tcpCheck},
	"prefer-last-server":           {kinds: kAll, why: "not supported"},
	"independent-streams":          {kinds: kAll, why: "not configurable"},
	"contstats":                    {kinds: kAll, why: "counters are always updated continuously"},
	"socket-stats":                 {kinds: kAll, why: "per-listener stats are not kept"},
	"logasap":                      {kinds: kAll, why: "requests are logged when they end"},
	"dontlog-normal":               {kinds: kAll, why: "every request is logged"},
	"httpslog":                     {kinds: kAll, why: "TLS log fields are not logged: httplog is used where 'option httplog' is set"},
	"tcp-smart-accept":             {kinds: kAll, why: "not configurable"},
	"tcp-smart-connect":            {kinds: kAll, why: "not configurable"},
	"transparent":                  {kinds: kAll, why: "transparent proxying is not supported"},
	"checkcache":                   {kinds: kAll, why: "responses are not checked for cacheability"},
	"originalto":                   {kinds: kAll, why: "X-Original-To is not added"},
	"idle-close-on-response":       {kinds: kAll, why: "not configurable"},
	"http-keep-alive-timeout":      {kinds: kAll, why: "use timeout http-keep-alive"},
}

// option converts `option NAME [ARGS]`.
func (c *hapConv) option(s *section, w []string, line int) {
	if len(w) < 2 {
		c.rep.ignored(line, "option", "expects a name")
		return
	}
	if w[1] == "httpchk" {
		c.httpchk(s, w[2:], line)
		return
	}
	c.optionNamed(s, w[1], w[2:], false, line)
}

func (c *hapConv) optionNamed(s *section, name string, args []string, neg bool, line int) {
	kw := "option " + name
	if neg {
		kw = "no option " + name
	}
	spec, ok := options[name]
	switch {
	case !ok:
		c.rep.ignored(line, kw, "unknown option, not carried over")
		return
	case spec.why != "":
		c.rep.ignored(line, kw, "%s", spec.why)
		return
	case spec.kinds&kindBit(s.kind) == 0:
		c.rep.ignored(line, kw, "haproxy ignores this option in a %s section", s.kind)
		return
	case len(args) > 0 && (!spec.args || neg):
		c.rep.ignored(line, kw, "takes no arguments here")
		return
	}
	entry := strings.Join(append([]string{name}, args...), " ")
	if neg {
		entry = "no " + name
	}
	s.opts = append(s.opts, entry)
	c.rep.mapped(line, kw, "%s", s.path("option"))
}

// optionApplies reports whether an option entry of a defaults section
// applies to a section of the given kind.
func optionApplies(entry string, kind string) bool {
	f := strings.Fields(entry)
	if len(f) > 1 && f[0] == "no" {
		f = f[1:]
	}
	return len(f) > 0 && options[f[0]].kinds&kindBit(kind) != 0
}

// stats converts the `stats` keywords of a proxy section.
func (c *hapConv) stats(s *section, w []string, line int) {
	if len(w) < 2 {
		c.rep.ignored(line, "stats", "expects a keyword")
		return
	}
	kw := "stats " + w[1]
	if kindBit(s.kind)&kFE == 0 {
		c.rep.ignored(line, kw, "the stats page is served by a frontend or listen section in haappliance: move the stats lines there")
		return
	}
	arg := func() (string, bool) {
		if len(w) != 3 {
			c.rep.ignored(line, kw, "expects one argument")
			return "", false
		}
		return w[2], true
	}
	st := s.t.sub("stats", statsOrder...)
	path := s.path("stats.")
	switch w[1] {
	case "enable":
		c.rep.mapped(line, kw, "implied by %s", s.path("stats"))
	case "uri":
		if v, ok := arg(); ok {
			st.str("uri", v)
			c.rep.mapped(line, kw, "%suri", path)
		}
	case "realm":
		if v, ok := arg(); ok {
			st.str("realm", v)
			c.rep.mapped(line, kw, "%srealm", path)
		}
	case "refresh":
		if v, ok := arg(); ok {
			d, ok := hapDuration(v)
			if !ok {
				c.rep.ignored(line, kw, "'%s' is not a time", v)
				return
			}
			st.str("refresh", d)
			c.rep.mapped(line, kw, "%srefresh", path)
		}
	case "auth":
		if v, ok := arg(); ok {
			st.push("auth", v)
			c.rep.mapped(line, kw, "%sauth", path)
		}
	case "hide-version":
		st.flag("hide_version", true)
		c.rep.mapped(line, kw, "%shide_version", path)
	case "admin":
		if len(w) == 4 && w[2] == "if" && w[3] == "TRUE" {
			st.flag("admin", true)
			c.rep.mapped(line, kw, "%sadmin", path)
			return
		}
		c.rep.ignored(line, kw, "admin access in haappliance is not conditional: set %sadmin = true if every authenticated user may change server states", path)
	default:
		c.rep.ignored(line, kw, "not supported on the stats page")
	}
}
