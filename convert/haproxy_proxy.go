package convert

import (
	"strconv"
	"strings"
)

// proxyKeyword is a keyword of defaults/frontend/backend/listen sections.
type proxyKeyword struct {
	kinds int
	fn    func(c *hapConv, s *section, w []string, line int)
}

var proxyKeywords = map[string]proxyKeyword{
	"bind":            {kFE, (*hapConv).bind},
	"mode":            {kAll, (*hapConv).mode},
	"maxconn":         {kFE | kDefaults, (*hapConv).maxconn},
	"acl":             {kFE | kBackend, (*hapConv).rule},
	"use_backend":     {kFE, (*hapConv).rule},
	"http-request":    {kFE | kBackend, (*hapConv).httpRule},
	"http-response":   {kFE | kBackend, (*hapConv).httpRule},
	"redirect":        {kFE | kBackend, (*hapConv).redirect},
	"default_backend": {kFE | kDefaults, (*hapConv).defaultBackend},
	"option":          {kAll, (*hapConv).option},
	"no":              {kAll, (*hapConv).no},
	"timeout":         {kAll, (*hapConv).timeout},
	"contimeout":      {kAll, (*hapConv).oldTimeout},
	"clitimeout":      {kAll, (*hapConv).oldTimeout},
	"srvtimeout":      {kAll, (*hapConv).oldTimeout},
	"stats":           {kAll, (*hapConv).stats},
	"log":             {kAll, (*hapConv).sectionLog},
	"balance":         {kBE | kDefaults, (*hapConv).balance},
	"hash-type":       {kBE | kDefaults, (*hapConv).hashType},
	"cookie":          {kBE | kDefaults, (*hapConv).cookie},
	"server":          {kBE, (*hapConv).server},
	"default-server":  {kBE | kDefaults, (*hapConv).server},
	"retries":         {kBE | kDefaults, (*hapConv).retries},
	"http-check":      {kBE | kDefaults, (*hapConv).httpCheck},
	"enabled":         {kAll, func(c *hapConv, s *section, w []string, line int) { c.rep.mapped(line, w[0], "sections are enabled") }},
}

// proxyIgnored are proxy keywords with no haappliance equivalent.
var proxyIgnored = map[string]string{
	"description":                 "descriptions are not kept",
	"id":                          "numeric proxy ids are not used",
	"disabled":                    "the section is converted as enabled: remove it if it must stay off",
	"fullconn":                    "dynamic server maxconn (minconn/fullconn) is not supported",
	"errorfile":                   "errors are answered with haappliance's built-in pages",
	"errorfiles":                  "errors are answered with haappliance's built-in pages",
	"errorloc":                    "errors are answered with haappliance's built-in pages",
	"errorloc302":                 "errors are answered with haappliance's built-in pages",
	"errorloc303":                 "errors are answered with haappliance's built-in pages",
	"http-error":                  "errors are answered with haappliance's built-in pages",
	"compression":                 "haappliance does not compress responses",
	"capture":                     "header captures are not logged",
	"declare":                     "header captures are not logged",
	"log-format":                  "haappliance writes HAProxy's httplog/tcplog formats",
	"log-format-sd":               "haappliance writes HAProxy's httplog/tcplog formats",
	"error-log-format":            "haappliance writes HAProxy's httplog/tcplog formats",
	"log-tag":                     "the syslog tag is always 'haappliance'",
	"unique-id-format":            "unique request ids are not generated",
	"unique-id-header":            "unique request ids are not generated",
	"monitor-uri":                 "monitor URIs are not supported: use the stats page or /metrics",
	"monitor":                     "monitor URIs are not supported: use the stats page or /metrics",
	"monitor-net":                 "monitor URIs are not supported: use the stats page or /metrics",
	"rate-limit":                  "rate limits are not supported",
	"tcp-request":                 "tcp-request rules are not supported",
	"tcp-response":                "tcp-response rules are not supported",
	"http-after-response":         "http-after-response rules are not supported",
	"stick-table":                 "stick tables are not supported (cookie or balance source give persistence)",
	"stick":                       "stick tables are not supported (cookie or balance source give persistence)",
	"http-reuse":                  "idle server connections are reused as in HAProxy's default 'safe' mode; not configurable",
	"force-persist":               "persistence overrides are not supported",
	"ignore-persist":              "persistence overrides are not supported",
	"persist":                     "RDP cookie persistence is not supported",
	"use-server":                  "use-server rules are not supported",
	"server-template":             "server templates (DNS discovery) are not supported",
	"dispatch":                    "dispatch addresses are not supported: use a server line",
	"source":                      "source address binding is not supported",
	"email-alert":                 "mail alerts are not sent: alert on the syslog lines (SPEC §9.1)",
	"external-check":              "external checks are not supported",
	"filter":                      "filters are not supported",
	"backlog":                     "the listen backlog is the kernel's somaxconn",
	"grace":                       "removed in HAProxy 2.x",
	"bind-process":                "one process",
	"max-keep-alive-queue":        "not configurable",
	"retry-on":                    "retries happen on connection failures only",
	"hash-balance-factor":         "bounded-load consistent hashing is not supported",
	"http-send-name-header":       "not supported",
	"load-server-state-from-file": "server state is not saved across restarts",
	"server-state-file-name":      "server state is not saved across restarts",
	"use-fcgi-app":                "FastCGI is not supported",
	"redispatch":                  "use 'option redispatch'",
}

// proxyLine converts one line of a defaults, frontend, backend or listen
// section.
func (c *hapConv) proxyLine(s *section, w []string, line int) {
	kw := w[0]
	if k, ok := proxyKeywords[kw]; ok {
		if k.kinds&kindBit(s.kind) == 0 {
			c.rep.ignored(line, kw, "not allowed in a %s section (haproxy refuses or ignores it)", s.kind)
			return
		}
		k.fn(c, s, w, line)
		return
	}
	if strings.HasPrefix(kw, "req") || strings.HasPrefix(kw, "rsp") || kw == "block" || kw == "appsession" {
		c.rep.ignored(line, kw, "removed in HAProxy 2.1; rewrite it as an http-request/http-response rule")
		return
	}
	if why, ok := proxyIgnored[kw]; ok {
		c.rep.ignored(line, kw, "%s", why)
		return
	}
	c.rep.ignored(line, kw, "unknown keyword, not carried over")
}

func (c *hapConv) mode(s *section, w []string, line int) {
	if len(w) != 2 || (w[1] != "http" && w[1] != "tcp") {
		c.rep.ignored(line, "mode", "only 'http' and 'tcp' exist in haappliance")
		return
	}
	s.t.str("mode", w[1])
	c.rep.mapped(line, "mode", "%s", s.path("mode"))
}

func (c *hapConv) maxconn(s *section, w []string, line int) {
	n, ok := oneInt(w)
	if !ok {
		c.rep.ignored(line, w[0], "expects a number")
		return
	}
	s.t.num("maxconn", n)
	c.rep.mapped(line, w[0], "%s", s.path("maxconn"))
}

func (c *hapConv) retries(s *section, w []string, line int) {
	n, ok := oneInt(w)
	if !ok {
		c.rep.ignored(line, w[0], "expects a number")
		return
	}
	s.t.num("retries", n)
	c.rep.mapped(line, w[0], "%s", s.path("retries"))
}

// oneInt reads the only argument of w as a non-negative integer.
func oneInt(w []string) (int, bool) {
	if len(w) != 2 {
		return 0, false
	}
	n, err := strconv.Atoi(w[1])
	return n, err == nil && n >= 0
}

func (c *hapConv) defaultBackend(s *section, w []string, line int) {
	if len(w) != 2 {
		c.rep.ignored(line, w[0], "expects one backend name")
		return
	}
	s.t.str("default_backend", w[1])
	c.rep.mapped(line, w[0], "%s", s.path("default_backend"))
}

// rule keeps acl and use_backend lines in HAProxy's grammar.
func (c *hapConv) rule(s *section, w []string, line int) {
	if len(w) < 2 || w[0] == "acl" && len(w) < 3 {
		c.rep.ignored(line, w[0], "incomplete rule")
		return
	}
	key := strings.ReplaceAll(w[0], "-", "_")
	s.t.push(key, joinWords(w[1:]))
	c.rep.mapped(line, w[0], "%s", s.path(key))
}

// httpActions are the http-request / http-response actions SPEC §5 names.
var httpActions = map[string]map[string]bool{
	"http-request": {"set-header": true, "add-header": true, "del-header": true, "replace-header": true,
		"replace-value": true, "set-path": true, "replace-path": true, "redirect": true, "deny": true,
		"auth": true, "return": true, "allow": true},
	"http-response": {"set-header": true, "add-header": true, "del-header": true, "replace-header": true,
		"replace-value": true, "allow": true, "deny": true},
}

func (c *hapConv) httpRule(s *section, w []string, line int) {
	if len(w) < 2 {
		c.rep.ignored(line, w[0], "expects an action")
		return
	}
	kw := w[0] + " " + w[1]
	if !httpActions[w[0]][w[1]] {
		c.rep.ignored(line, kw, "action not supported by haappliance")
		return
	}
	key := strings.ReplaceAll(w[0], "-", "_")
	s.t.push(key, joinWords(w[1:]))
	c.rep.mapped(line, kw, "%s", s.path(key))
}

func (c *hapConv) redirect(s *section, w []string, line int) {
	if len(w) < 3 {
		c.rep.ignored(line, w[0], "incomplete rule")
		return
	}
	s.redirects = append(s.redirects, joinWords(w))
	c.rep.approx(line, w[0], "%s: written as an http-request redirect rule after the other http-request rules, where haproxy evaluates it", s.path("http_request"))
}

// timeoutKinds: which sections haproxy reads each timeout in.
var timeoutKinds = map[string]int{
	"connect": kBE | kDefaults, "client": kFE | kDefaults, "server": kBE | kDefaults,
	"http_request": kAll, "http_keep_alive": kAll, "queue": kBE | kDefaults,
	"check": kBE | kDefaults, "tunnel": kBE | kDefaults, "client_fin": kFE | kDefaults,
	"server_fin": kBE | kDefaults,
}

func (c *hapConv) timeout(s *section, w []string, line int) {
	if len(w) != 3 {
		c.rep.ignored(line, "timeout", "expects a name and a time")
		return
	}
	c.setTimeout(s, "timeout "+w[1], w[1], w[2], line, "")
}

// oldTimeout maps contimeout, clitimeout and srvtimeout.
func (c *hapConv) oldTimeout(s *section, w []string, line int) {
	if len(w) != 2 {
		c.rep.ignored(line, w[0], "expects a time")
		return
	}
	name := map[string]string{"contimeout": "connect", "clitimeout": "client", "srvtimeout": "server"}[w[0]]
	c.setTimeout(s, w[0], name, w[1], line, "removed in HAProxy 2.1, read as 'timeout "+name+"'")
}

func (c *hapConv) setTimeout(s *section, kw, name, val string, line int, note string) {
	if name == "tarpit" {
		c.rep.ignored(line, kw, "tarpit is not supported")
		return
	}
	key := strings.ReplaceAll(name, "-", "_")
	kinds, ok := timeoutKinds[key]
	if !ok {
		c.rep.ignored(line, kw, "unknown timeout")
		return
	}
	if kinds&kindBit(s.kind) == 0 {
		c.rep.ignored(line, kw, "haproxy ignores this timeout in a %s section", s.kind)
		return
	}
	d, ok := hapDuration(val)
	if !ok {
		c.rep.ignored(line, kw, "'%s' is not a time", val)
		return
	}
	s.t.sub("timeout").str(key, d)
	if note != "" {
		c.rep.approx(line, kw, "%s; %s", s.path("timeout."+key), note)
		return
	}
	c.rep.mapped(line, kw, "%s", s.path("timeout."+key))
}

// sectionLog maps `log global`; other targets go to [[global.log]].
func (c *hapConv) sectionLog(s *section, w []string, line int) {
	if len(w) == 2 && w[1] == "global" {
		s.t.str("log", "global")
		c.rep.mapped(line, "log", "%s", s.path("log"))
		return
	}
	t, _, why := parseLog(w)
	if why != "" {
		c.rep.ignored(line, "log", "%s", why)
		return
	}
	c.addLog(t)
	s.t.str("log", "global")
	c.rep.approx(line, "log", "%s = \"global\": sections log to the [[global.log]] targets, and this target was added there", s.path("log"))
}

// no handles `no option NAME` and `no log`.
func (c *hapConv) no(s *section, w []string, line int) {
	if len(w) == 3 && w[1] == "option" {
		c.optionNamed(s, w[2], nil, true, line)
		return
	}
	kw := strings.Join(w, " ")
	if len(w) == 2 && w[1] == "log" {
		c.rep.ignored(line, kw, "a section cannot turn logging off in haappliance: it logs with its 'log' key or its defaults'")
		return
	}
	c.rep.ignored(line, kw, "unknown keyword, not carried over")
}
