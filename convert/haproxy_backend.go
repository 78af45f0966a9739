package convert

import (
	"strconv"
	"strings"

	"haappliance/proxy/balance"
)

func (c *hapConv) balance(s *section, w []string, line int) {
	v := strings.Join(w[1:], " ")
	if ps := balance.Validate(v, ""); len(ps) > 0 {
		c.rep.ignored(line, "balance", "%s; roundrobin applies", ps[0].Msg)
		return
	}
	s.t.str("balance", v)
	c.rep.mapped(line, "balance", "%s", s.path("balance"))
}

func (c *hapConv) hashType(s *section, w []string, line int) {
	v := strings.Join(w[1:], " ")
	if ps := balance.Validate("", v); len(ps) > 0 || v == "" {
		msg := "expects map-based or consistent"
		if len(ps) > 0 {
			msg = ps[0].Msg
		}
		c.rep.ignored(line, "hash-type", "%s", msg)
		return
	}
	s.t.str("hash_type", v)
	c.rep.mapped(line, "hash-type", "%s", s.path("hash_type"))
}

// cookie converts `cookie NAME [rewrite|insert|prefix] [OPTIONS]`.
func (c *hapConv) cookie(s *section, w []string, line int) {
	if len(w) < 2 {
		c.rep.ignored(line, "cookie", "expects a cookie name")
		return
	}
	t := newTable(cookieOrder...)
	t.str("name", w[1])
	var notes []string
	mode := ""
	for i := 2; i < len(w); i++ {
		switch o := w[i]; o {
		case "rewrite", "insert", "prefix":
			mode = o
		case "indirect", "nocache", "postonly", "preserve", "httponly", "secure":
			t.flag(o, true)
		case "domain", "maxidle", "maxlife", "attr":
			if i+1 >= len(w) {
				notes = append(notes, "'"+o+"' without a value dropped")
				continue
			}
			i++
			switch o {
			case "domain":
				t.push("domain", w[i])
			case "attr":
				notes = append(notes, "'attr "+w[i]+"' not supported")
			default:
				d, ok := hapDuration(w[i])
				if !ok {
					notes = append(notes, "'"+o+" "+w[i]+"' is not a time")
					continue
				}
				t.str(o, d)
			}
		case "dynamic":
			notes = append(notes, "'dynamic' cookies are not supported")
		default:
			notes = append(notes, "unknown option '"+o+"'")
		}
	}
	if mode == "" {
		mode = "insert"
		notes = append(notes, "no mode given: haproxy then only reads a cookie the server sets, haappliance inserts it")
	}
	t.str("mode", mode)
	s.t.set("cookie", &value{tab: t})
	if len(notes) > 0 {
		c.rep.approx(line, "cookie", "%s; %s", s.path("cookie"), strings.Join(notes, "; "))
		return
	}
	c.rep.mapped(line, "cookie", "%s", s.path("cookie"))
}

// serverParam is a server keyword: the key it maps to and its type, or
// why it is not carried over.
type serverParam struct {
	key  string
	typ  string // "int", "dur", "str", "true", "false"
	argc int    // for ignored keywords
	why  string
}

const (
	noTLS     = "haappliance connects to servers in clear text: this server expects TLS"
	noResolve = "servers are resolved once, at start"
	noAgent   = "agent checks are not supported"
)

var serverParams = map[string]serverParam{
	"weight": {key: "weight", typ: "int"}, "maxconn": {key: "maxconn", typ: "int"},
	"maxqueue": {key: "maxqueue", typ: "int"}, "cookie": {key: "cookie", typ: "str"},
	"check": {key: "check", typ: "true"}, "no-check": {key: "check", typ: "false"},
	"inter": {key: "inter", typ: "dur"}, "fastinter": {key: "fastinter", typ: "dur"},
	"downinter": {key: "downinter", typ: "dur"}, "rise": {key: "rise", typ: "int"},
	"fall": {key: "fall", typ: "int"}, "backup": {key: "backup", typ: "true"},
	"no-backup": {key: "backup", typ: "false"}, "disabled": {key: "disabled", typ: "true"},
	"enabled": {key: "disabled", typ: "false"}, "send-proxy": {key: "send_proxy", typ: "true"},
	"no-send-proxy": {key: "send_proxy", typ: "false"}, "send-proxy-v2": {key: "send_proxy_v2", typ: "true"},
	"no-send-proxy-v2": {key: "send_proxy_v2", typ: "false"},

	"port": {argc: 1, why: "checks go to the server's own address and port"},
	"addr": {argc: 1, why: "checks go to the server's own address and port"},
	"id":   {argc: 1, why: "numeric server ids are not used"}, "slowstart": {argc: 1, why: "slow start is not supported"},
	"on-error": {argc: 1, why: "not supported"}, "on-marked-down": {argc: 1, why: "not supported"},
	"on-marked-up": {argc: 1, why: "not supported"}, "error-limit": {argc: 1, why: "not supported"},
	"observe": {argc: 1, why: "traffic is not observed for health"}, "agent-port": {argc: 1, why: noAgent},
	"agent-inter": {argc: 1, why: noAgent}, "agent-send": {argc: 1, why: noAgent}, "agent-addr": {argc: 1, why: noAgent},
	"agent-check": {why: noAgent}, "resolvers": {argc: 1, why: noResolve}, "resolve-prefer": {argc: 1, why: noResolve},
	"resolve-opts": {argc: 1, why: noResolve}, "resolve-net": {argc: 1, why: noResolve}, "init-addr": {argc: 1, why: noResolve},
	"track":  {argc: 1, why: "tracking another server's check is not supported: give this server its own check"},
	"source": {argc: 1, why: "source address binding is not supported"}, "namespace": {argc: 1, why: "not supported"},
	"sni": {argc: 1, why: noTLS}, "crt": {argc: 1, why: noTLS}, "ca-file": {argc: 1, why: noTLS},
	"crl-file": {argc: 1, why: noTLS}, "verify": {argc: 1, why: noTLS}, "verifyhost": {argc: 1, why: noTLS},
	"alpn": {argc: 1, why: noTLS}, "npn": {argc: 1, why: noTLS}, "check-alpn": {argc: 1, why: noTLS},
	"check-sni": {argc: 1, why: noTLS}, "ciphers": {argc: 1, why: noTLS}, "ciphersuites": {argc: 1, why: noTLS},
	"ssl-min-ver": {argc: 1, why: noTLS}, "ssl-max-ver": {argc: 1, why: noTLS}, "curves": {argc: 1, why: noTLS},
	"ssl": {why: noTLS}, "check-ssl": {why: noTLS}, "no-ssl": {why: "servers are reached in clear text"},
	"no-verifyhost": {why: noTLS}, "ssl-reuse": {why: noTLS}, "no-ssl-reuse": {why: noTLS},
	"tls-tickets": {why: noTLS}, "no-tls-tickets": {why: noTLS}, "no-sslv3": {why: noTLS},
	"no-tlsv10": {why: noTLS}, "no-tlsv11": {why: noTLS}, "no-tlsv12": {why: noTLS}, "no-tlsv13": {why: noTLS},
	"force-sslv3": {why: noTLS}, "force-tlsv10": {why: noTLS}, "force-tlsv11": {why: noTLS},
	"force-tlsv12": {why: noTLS}, "force-tlsv13": {why: noTLS}, "send-proxy-v2-ssl": {why: noTLS},
	"send-proxy-v2-ssl-cn": {why: noTLS}, "allow-0rtt": {why: noTLS},
	"proto": {argc: 1, why: "servers are spoken to in HTTP/1.1 or TCP"}, "check-proto": {argc: 1, why: "not supported"},
	"pool-max-conn":    {argc: 1, why: "idle pools are sized automatically"},
	"pool-purge-delay": {argc: 1, why: "idle pools are sized automatically"},
	"pool-low-conn":    {argc: 1, why: "idle pools are sized automatically"},
	"max-reuse":        {argc: 1, why: "idle pools are sized automatically"}, "redir": {argc: 1, why: "not supported"},
	"tcp-ut": {argc: 1, why: "not supported"}, "minconn": {argc: 1, why: "dynamic maxconn is not supported"},
	"log-proto": {argc: 1, why: "not applicable"}, "socks4": {argc: 1, why: "not supported"},
	"proxy-v2-options": {argc: 1, why: "PROXY v2 TLVs are not sent"}, "set-proxy-v2-tlv-fmt": {argc: 1, why: "PROXY v2 TLVs are not sent"},
	"ws": {argc: 1, why: "WebSocket traffic is tunnelled without a setting"}, "shard": {argc: 1, why: "not applicable"},
	"tfo": {why: "not supported"}, "no-tfo": {why: "not applicable"}, "non-stick": {why: "stick tables are not supported"},
	"stick": {why: "stick tables are not supported"}, "check-send-proxy": {why: "checks do not send the PROXY header"},
	"check-via-socks4": {why: "not supported"},
}

// server converts `server NAME ADDR [PARAMS]` and `default-server PARAMS`.
func (c *hapConv) server(s *section, w []string, line int) {
	kw := w[0]
	tmpl := kw == "default-server"
	t := newTable()
	var notes []string
	p := w[1:]
	if !tmpl {
		if len(w) < 3 {
			c.rep.ignored(line, kw, "expects a name and an address")
			return
		}
		t.str("name", w[1])
		addr, note := serverAddr(w[2])
		t.str("address", addr)
		if note != "" {
			notes = append(notes, note)
		}
		p = w[3:]
	}
	for i := 0; i < len(p); i++ {
		sp, ok := serverParams[p[i]]
		if !ok {
			c.rep.ignored(line, kw+" "+p[i], "unknown server setting, not carried over")
			continue
		}
		if sp.key == "" {
			if i+sp.argc >= len(p) && sp.argc > 0 {
				c.rep.ignored(line, kw+" "+p[i], "%s (and its argument is missing)", sp.why)
				break
			}
			c.rep.ignored(line, kw+" "+p[i], "%s", sp.why)
			i += sp.argc
			continue
		}
		switch sp.typ {
		case "true", "false":
			t.flag(sp.key, sp.typ == "true")
			continue
		}
		if i+1 >= len(p) {
			c.rep.ignored(line, kw+" "+p[i], "expects a value")
			continue
		}
		i++
		v := p[i]
		switch sp.typ {
		case "int":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				c.rep.ignored(line, kw+" "+p[i-1], "'%s' is not a number", v)
				continue
			}
			t.num(sp.key, n)
		case "dur":
			d, ok := hapDuration(v)
			if !ok {
				c.rep.ignored(line, kw+" "+p[i-1], "'%s' is not a time", v)
				continue
			}
			t.str(sp.key, d)
		default:
			if tmpl && sp.key == "cookie" {
				c.rep.ignored(line, kw+" cookie", "a cookie value belongs on each server")
				continue
			}
			t.str(sp.key, v)
		}
	}
	path := s.path("server")
	if tmpl {
		s.t.set("default_server", &value{tab: t})
		path = s.path("default_server")
	} else {
		s.t.addRow("server", t)
	}
	if len(notes) > 0 {
		c.rep.approx(line, kw, "%s; %s", path, strings.Join(notes, "; "))
		return
	}
	c.rep.mapped(line, kw, "%s", path)
}

// serverAddr maps a haproxy server address to HOST:PORT; note says what
// haappliance cannot do with it.
func serverAddr(a string) (string, string) {
	for _, p := range []string{"ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"} {
		a = strings.TrimPrefix(a, p)
	}
	if strings.HasPrefix(a, "/") || strings.Contains(a, "@") {
		return a, "UNIX-socket and special servers are not supported: replace the address with HOST:PORT"
	}
	if strings.HasPrefix(a, "[") {
		if i := strings.Index(a, "]:"); i > 0 && a[i+2:] != "" && a[i+2] != '+' && a[i+2] != '-' {
			return a, ""
		}
		return a, "no port: haproxy reuses the client's port, haappliance needs HOST:PORT; edit it before use"
	}
	i := strings.LastIndexByte(a, ':')
	if i < 0 || i == len(a)-1 {
		return a, "no port: haproxy reuses the client's port, haappliance needs HOST:PORT; edit it before use"
	}
	host, port := a[:i], a[i+1:]
	if port[0] == '+' || port[0] == '-' {
		return a, "port offset: haproxy adds it to the client's port, haappliance needs HOST:PORT; edit it before use"
	}
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port, ""
	}
	return a, ""
}
