package convert

import (
	"net"
	"strconv"
	"strings"
)

// bindParams are bind keywords not carried over, with their argument
// count.
var bindParams = map[string]int{
	"name": 1, "process": 1, "thread": 1, "interface": 1, "namespace": 1, "mss": 1,
	"backlog": 1, "maxconn": 1, "level": 1, "mode": 1, "uid": 1, "gid": 1, "user": 1,
	"group": 1, "ciphers": 1, "ciphersuites": 1, "curves": 1, "ecdhe": 1, "ca-file": 1,
	"crl-file": 1, "verify": 1, "npn": 1, "ssl-max-ver": 1, "tcp-ut": 1, "nice": 1, "id": 1,
	"proto": 1, "severity-output": 1, "ca-verify-file": 1, "crt-list": 1, "sigalgs": 1,
	"client-sigalgs": 1, "ca-ignore-err": 1, "crt-ignore-err": 1, "ca-sign-file": 1,
	"ca-sign-pass": 1, "tls-ticket-keys": 1, "label": 1,
	"v4v6": 0, "v6only": 0, "transparent": 0, "defer-accept": 0, "tfo": 0, "strict-sni": 0,
	"prefer-client-ciphers": 0, "allow-0rtt": 0, "generate-certificates": 0, "expose-fd": 0,
	"no-sslv3": 0, "no-tlsv10": 0, "no-tlsv11": 0, "no-tlsv12": 0, "no-tlsv13": 0,
	"force-sslv3": 0, "force-tlsv10": 0, "force-tlsv11": 0, "force-tlsv12": 0, "force-tlsv13": 0,
	"no-tls-tickets": 0, "no-ca-names": 0, "quic-force-retry": 0, "no-alpn": 0,
}

// bind converts `bind ADDR[,ADDR...] [PARAMS]`.
func (c *hapConv) bind(s *section, w []string, line int) {
	if len(w) < 2 {
		c.rep.ignored(line, "bind", "expects an address")
		return
	}
	var notes []string
	n := 0
	for _, a := range strings.Split(w[1], ",") {
		addrs, note, why := bindAddr(a)
		if why != "" {
			c.rep.ignored(line, "bind", "%s", why)
			continue
		}
		if note != "" {
			notes = append(notes, note)
		}
		for _, x := range addrs {
			s.t.push("bind", x)
			n++
		}
	}
	var ssl bool
	var certs, alpn []string
	minVer := ""
	p := w[2:]
	for i := 0; i < len(p); i++ {
		kw := "bind " + p[i]
		switch p[i] {
		case "ssl":
			ssl = true
		case "accept-proxy":
			s.t.flag("accept_proxy", true)
			c.rep.mapped(line, kw, "%s", s.path("accept_proxy"))
		case "crt", "alpn", "ssl-min-ver":
			if i+1 >= len(p) {
				c.rep.ignored(line, kw, "expects an argument")
				continue
			}
			i++
			switch p[i-1] {
			case "crt":
				certs = append(certs, p[i])
			case "alpn":
				alpn = append(alpn, strings.Split(p[i], ",")...)
			default:
				minVer = p[i]
			}
		default:
			argc, known := bindParams[p[i]]
			if !known {
				c.rep.ignored(line, kw, "unknown bind setting, not carried over")
				continue
			}
			if i+argc >= len(p) {
				c.rep.ignored(line, kw, "not supported (and its argument is missing)")
				i = len(p)
				continue
			}
			c.rep.ignored(line, kw, "bind setting not supported")
			i += argc
		}
	}
	if ssl || len(certs) > 0 {
		c.bindTLS(s, ssl, certs, alpn, minVer, line)
	} else if len(alpn) > 0 || minVer != "" {
		c.rep.ignored(line, "bind", "alpn/ssl-min-ver without 'ssl'")
	}
	if n == 0 {
		return
	}
	if len(notes) > 0 {
		c.rep.approx(line, "bind", "%s; %s", s.path("bind"), strings.Join(notes, "; "))
		return
	}
	c.rep.mapped(line, "bind", "%s", s.path("bind"))
}

func (c *hapConv) bindTLS(s *section, ssl bool, certs, alpn []string, minVer string, line int) {
	switch {
	case !ssl:
		c.rep.ignored(line, "bind crt", "'crt' without 'ssl' does not enable TLS")
		return
	case len(certs) == 0:
		c.rep.ignored(line, "bind ssl", "'ssl' without 'crt': no certificate to serve")
		return
	}
	t := s.t.sub("tls", tlsOrder...)
	for _, x := range certs {
		t.push("certificates", x)
	}
	for _, x := range alpn {
		t.push("alpn", x)
	}
	c.rep.mapped(line, "bind ssl", "%s (certificates chosen by SNI)", s.path("tls"))
	switch minVer {
	case "":
	case "TLSv1.2", "TLSv1.3":
		t.str("min_version", strings.TrimPrefix(minVer, "TLSv"))
		c.rep.mapped(line, "bind ssl-min-ver", "%s", s.path("tls.min_version"))
	default:
		c.rep.approx(line, "bind ssl-min-ver", "'%s': haappliance accepts TLS 1.2 and up", minVer)
	}
}

// bindAddr maps one haproxy bind address to haappliance's ADDR:PORT forms;
// a port range gives one address per port.
func bindAddr(a string) (addrs []string, note, why string) {
	orig := a
	for _, p := range []string{"ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"} {
		a = strings.TrimPrefix(a, p)
	}
	if strings.HasPrefix(a, "/") || strings.Contains(a, "@") {
		return nil, "", "'" + orig + "': only TCP addresses can be bound"
	}
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return nil, "", "'" + orig + "' has no port"
	}
	host, ports := a[:i], a[i+1:]
	switch {
	case host == "" || host == "*" || host == "0.0.0.0":
		host = "*"
		if strings.HasPrefix(orig, "ipv6@") {
			host = "[::]"
		}
	case host == "::" || host == "[::]":
		host = "[::]"
	case strings.HasPrefix(host, "["):
	case strings.Contains(host, ":"):
		host = "[" + host + "]"
	default:
		if net.ParseIP(host) == nil {
			note = "'" + host + "' is a host name: haappliance binds IP addresses only, put the address here"
		}
	}
	lo, hi, isRange := strings.Cut(ports, "-")
	if !isRange {
		hi = lo
	}
	p1, err1 := strconv.Atoi(lo)
	p2, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || p1 < 1 || p2 > 65535 || p1 > p2 {
		return nil, "", "'" + orig + "': invalid port"
	}
	if p2-p1 >= 100 {
		return nil, "", "'" + orig + "': port ranges of more than 100 ports are not expanded"
	}
	for p := p1; p <= p2; p++ {
		addrs = append(addrs, host+":"+strconv.Itoa(p))
	}
	if isRange && note == "" {
		note = "port range written as one address per port"
	}
	return addrs, note, ""
}
