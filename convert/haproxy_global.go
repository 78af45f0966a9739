package convert

import (
	"net"
	"strconv"
	"strings"
)

// globalIgnored are global keywords with no haappliance equivalent, with
// the reason the report gives.
var globalIgnored = map[string]string{
	"daemon":               "haappliance runs in the foreground under systemd",
	"master-worker":        "haappliance runs in the foreground under systemd",
	"nbproc":               "one process; the Go runtime uses every CPU",
	"nbthread":             "the Go runtime uses every CPU",
	"thread-groups":        "the Go runtime uses every CPU",
	"cpu-map":              "the Go runtime schedules its threads itself",
	"chroot":               "haappliance drops privileges to user/group but does not chroot",
	"uid":                  "numeric ids are not supported: give the user name",
	"gid":                  "numeric ids are not supported: give the group name",
	"ulimit-n":             "haappliance raises RLIMIT_NOFILE to 2*maxconn+18 itself",
	"ca-base":              "give full certificate paths in tls.certificates",
	"crt-base":             "give full certificate paths in tls.certificates",
	"log-tag":              "the syslog tag is always 'haappliance'",
	"log-send-hostname":    "syslog lines carry the host name as RFC 3164 does",
	"spread-checks":        "health checks are not spread by a configured percentage",
	"description":          "descriptions are not kept",
	"node":                 "the node name is not kept",
	"quiet":                "haappliance logs to syslog and stderr",
	"zero-warning":         "use `haappliance check`",
	"lua-load":             "Lua is not supported",
	"lua-prepend-path":     "Lua is not supported",
	"server-state-file":    "server state is not saved across restarts",
	"server-state-base":    "server state is not saved across restarts",
	"maxconnrate":          "connection rate limits are not supported",
	"maxsessrate":          "session rate limits are not supported",
	"maxsslconn":           "TLS connection limits are not supported",
	"maxsslrate":           "TLS rate limits are not supported",
	"maxpipes":             "splice pipes are managed by the Go runtime",
	"maxcomprate":          "haappliance does not compress responses",
	"setenv":               "environment variables are not set",
	"presetenv":            "environment variables are not set",
	"resetenv":             "environment variables are not set",
	"unsetenv":             "environment variables are not set",
	"localpeer":            "peers are not supported",
	"h1-case-adjust":       "header names are forwarded as received",
	"h1-case-adjust-file":  "header names are forwarded as received",
	"insecure-fork-wanted": "haappliance forks only notify scripts",
	"set-dumpable":         "not applicable",
	"strict-limits":        "haappliance refuses to start when it cannot raise its limits",
	"ssl-server-verify":    "haappliance connects to servers in clear text",
}

// global converts one line of the global section.
func (c *hapConv) global(w []string, line int) {
	kw := w[0]
	g := c.out.global
	switch {
	case kw == "maxconn" || kw == "user" || kw == "group" || kw == "pidfile" || kw == "hard-stop-after":
		if len(w) != 2 {
			c.rep.ignored(line, kw, "expects one argument")
			return
		}
		key := strings.ReplaceAll(kw, "-", "_")
		switch kw {
		case "maxconn":
			n, err := strconv.Atoi(w[1])
			if err != nil || n < 0 {
				c.rep.ignored(line, kw, "'%s' is not a number", w[1])
				return
			}
			g.num(key, n)
		case "hard-stop-after":
			d, ok := hapDuration(w[1])
			if !ok {
				c.rep.ignored(line, kw, "'%s' is not a time", w[1])
				return
			}
			g.str(key, d)
		default:
			g.str(key, w[1])
		}
		c.rep.mapped(line, kw, "global.%s", key)
	case kw == "log":
		c.globalLog(w, line)
	case kw == "stats":
		c.globalStats(w, line)
	case strings.HasPrefix(kw, "tune."):
		c.rep.ignored(line, kw, "tuning knobs are not carried over")
	case strings.HasPrefix(kw, "ssl-"):
		c.rep.ignored(line, kw, "TLS defaults are haappliance's own (TLS 1.2 and up, Go's cipher suites)")
	default:
		if why, ok := globalIgnored[kw]; ok {
			c.rep.ignored(line, kw, "%s", why)
			return
		}
		c.rep.ignored(line, kw, "unknown keyword, not carried over")
	}
}

// globalStats maps `stats socket PATH` to the control socket.
func (c *hapConv) globalStats(w []string, line int) {
	if len(w) < 2 {
		c.rep.ignored(line, "stats", "expects an argument")
		return
	}
	kw := "stats " + w[1]
	if w[1] != "socket" {
		c.rep.ignored(line, kw, "the control socket has no such setting")
		return
	}
	if len(w) < 3 {
		c.rep.ignored(line, kw, "expects a path")
		return
	}
	path := strings.TrimPrefix(w[2], "unix@")
	if !strings.HasPrefix(path, "/") {
		c.rep.ignored(line, kw, "'%s': the control socket is a UNIX socket path", w[2])
		return
	}
	if c.out.global.has("control_socket") {
		c.rep.ignored(line, kw, "haappliance has one control socket; the first stats socket was kept")
		return
	}
	c.out.global.str("control_socket", path)
	note := "global.control_socket (the runtime API of SPEC §9.4, mode 0600, owner root)"
	if len(w) > 3 {
		c.rep.approx(line, kw, "%s; socket settings '%s' not carried over", note, strings.Join(w[3:], " "))
		return
	}
	c.rep.mapped(line, kw, "%s", note)
}

var facilities = map[string]bool{
	"kern": true, "user": true, "mail": true, "daemon": true, "auth": true, "syslog": true,
	"lpr": true, "news": true, "uucp": true, "cron": true, "auth2": true, "ftp": true,
	"ntp": true, "audit": true, "alert": true, "cron2": true, "local0": true, "local1": true,
	"local2": true, "local3": true, "local4": true, "local5": true, "local6": true, "local7": true,
	"authpriv": true,
}

var levels = map[string]bool{
	"emerg": true, "alert": true, "crit": true, "err": true, "warning": true,
	"notice": true, "info": true, "debug": true,
}

// parseLog parses `log TARGET [len N] [format F] [sample R:S] FACILITY
// [LEVEL [MINLEVEL]]` into a [[global.log]] table; notes lists what was
// approximated.
func parseLog(w []string) (t *table, notes []string, why string) {
	if len(w) < 3 {
		return nil, nil, "expects a target and a facility"
	}
	addr, note, why := logAddress(w[1])
	if why != "" {
		return nil, nil, why
	}
	if note != "" {
		notes = append(notes, note)
	}
	rest := w[2:]
	for len(rest) >= 2 && (rest[0] == "len" || rest[0] == "format" || rest[0] == "sample") {
		notes = append(notes, "'"+rest[0]+" "+rest[1]+"' not carried over: haappliance chooses each target's line format")
		rest = rest[2:]
	}
	if len(rest) == 0 || !facilities[rest[0]] {
		return nil, nil, "no known syslog facility"
	}
	if rest[0] == "auth2" || rest[0] == "ntp" || rest[0] == "audit" || rest[0] == "alert" || rest[0] == "cron2" {
		return nil, nil, "facility '" + rest[0] + "' is not one haappliance knows"
	}
	t = newTable("address", "facility", "level")
	t.str("address", addr)
	t.str("facility", rest[0])
	rest = rest[1:]
	if len(rest) > 0 {
		if !levels[rest[0]] {
			return nil, nil, "unknown level '" + rest[0] + "'"
		}
		t.str("level", rest[0])
		rest = rest[1:]
	}
	if len(rest) > 0 {
		notes = append(notes, "minimum level '"+rest[0]+"' not carried over")
		if len(rest) > 1 {
			notes = append(notes, "extra words '"+strings.Join(rest[1:], " ")+"'")
		}
	}
	return t, notes, ""
}

// logAddress maps a haproxy log target to a [[global.log]] address.
func logAddress(a string) (addr, note, why string) {
	switch {
	case a == "stderr" || a == "fd@2":
		return "stderr", "", ""
	case a == "stdout" || a == "fd@1":
		return "stderr", "stdout becomes stderr", ""
	case strings.HasPrefix(a, "ring@") || strings.HasPrefix(a, "fd@"):
		return "", "", "log target '" + a + "' is not supported"
	case strings.HasPrefix(a, "unix@"):
		a = strings.TrimPrefix(a, "unix@")
		fallthrough
	case strings.HasPrefix(a, "/"):
		return a, "", ""
	}
	scheme := "udp"
	for _, p := range []string{"udp@", "udp4@", "ipv4@", "udp6@", "ipv6@", "tcp@", "tcp4@", "tcp6@"} {
		if strings.HasPrefix(a, p) {
			a = strings.TrimPrefix(a, p)
			if strings.HasPrefix(p, "tcp") {
				scheme = "tcp"
			}
			break
		}
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		host, port = a, "514" // haproxy's default syslog port
		if strings.Count(a, ":") > 1 {
			// A bare IPv6 address; haproxy also accepts ADDR:PORT here.
			if i := strings.LastIndexByte(a, ':'); net.ParseIP(a) == nil && net.ParseIP(a[:i]) != nil {
				host, port = a[:i], a[i+1:]
			}
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" || strings.ContainsAny(host, "/ ") {
		return "", "", "log target '" + a + "' not understood"
	}
	return scheme + "://" + net.JoinHostPort(host, port), "", ""
}

// globalLog adds a [[global.log]] target.
func (c *hapConv) globalLog(w []string, line int) {
	t, notes, why := parseLog(w)
	if why != "" {
		c.rep.ignored(line, "log", "%s", why)
		return
	}
	c.addLog(t)
	note := "[[global.log]] address " + t.get("address").scalar
	if len(notes) > 0 {
		c.rep.approx(line, "log", "%s; %s", note, strings.Join(notes, "; "))
		return
	}
	c.rep.mapped(line, "log", "%s", note)
}

// addLog adds t to the global targets unless an equal one is there.
func (c *hapConv) addLog(t *table) {
	r := renderInline(t)
	for _, l := range c.out.logs {
		if renderInline(l) == r {
			return
		}
	}
	c.out.logs = append(c.out.logs, t)
}

// hapDuration normalises a haproxy time: digits with an optional unit (us,
// ms, s, m, h, d); a bare number is milliseconds.
func hapDuration(s string) (string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 12 {
		return "", false
	}
	switch s[i:] {
	case "":
		return s + "ms", true
	case "us", "ms", "s", "m", "h", "d":
		return s, true
	}
	return "", false
}
