package main

import (
	"net"
	"net/url"
	"strings"

	"haappliance/config"
)

// Global is the [global] section: process-wide settings.
type Global struct {
	MaxConn       int             `toml:"maxconn"`
	User          string          `toml:"user"`
	Group         string          `toml:"group"`
	ControlSocket string          `toml:"control_socket"`
	PidFile       string          `toml:"pidfile"`
	HardStopAfter config.Duration `toml:"hard_stop_after"`
	Log           []LogTarget     `toml:"log"`
}

// LogTarget is one [[global.log]] entry: a syslog destination.
type LogTarget struct {
	Address  string `toml:"address"`  // "/dev/log", "udp://HOST:PORT", "unix:///path", "stderr"
	Facility string `toml:"facility"` // kern, user, ..., local0..local7
	Level    string `toml:"level"`    // emerg alert crit err warning notice info debug
}

// Defaults of [global].
const (
	defaultMaxConn       = 4096
	defaultControlSocket = "/run/haappliance/admin.sock"
)

// EffectiveMaxConn is maxconn, or the default when unset.
func (g *Global) EffectiveMaxConn() int {
	if g.MaxConn > 0 {
		return g.MaxConn
	}
	return defaultMaxConn
}

// Socket is the control socket path, or the default when unset.
func (g *Global) Socket() string {
	if g.ControlSocket != "" {
		return g.ControlSocket
	}
	return defaultControlSocket
}

// Validate reports every problem of [global] with key paths under "global".
func (g *Global) Validate() []config.Problem {
	var ps []config.Problem
	if g.MaxConn < 0 {
		ps = append(ps, config.Problemf("global.maxconn", "must not be negative, got %d", g.MaxConn))
	}
	for i, t := range g.Log {
		p := config.Index("global.log", i)
		if _, _, err := t.Dial(); err != nil {
			ps = append(ps, config.Problemf(config.Join(p, "address"), "%v", err))
		}
		if _, ok := facilities[t.Facility]; !ok {
			ps = append(ps, config.Problemf(config.Join(p, "facility"), "unknown syslog facility %q (want one of kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0..local7)", t.Facility))
		}
		if t.Level != "" {
			if _, ok := severities[t.Level]; !ok {
				ps = append(ps, config.Problemf(config.Join(p, "level"), "unknown syslog level %q (want emerg, alert, crit, err, warning, notice, info or debug)", t.Level))
			}
		}
	}
	return ps
}

// Dial returns the network and address for log/syslog.Dial: "" and "" for
// the local /dev/log, "udp" and host:port, "unixgram" and a path.
func (t LogTarget) Dial() (network, addr string, err error) {
	a := t.Address
	switch {
	case a == "" || a == "/dev/log":
		return "", "", nil
	case a == "stderr":
		return "stderr", "", nil
	case strings.HasPrefix(a, "/"):
		return "unixgram", a, nil
	}
	u, err := url.Parse(a)
	if err != nil {
		return "", "", err
	}
	switch u.Scheme {
	case "udp", "udp4", "udp6", "tcp":
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil {
			return "", "", err
		}
		if host == "" || port == "" {
			return "", "", errBadLogAddress(a)
		}
		return u.Scheme, u.Host, nil
	case "unix":
		if u.Path == "" {
			return "", "", errBadLogAddress(a)
		}
		return "unixgram", u.Path, nil
	}
	return "", "", errBadLogAddress(a)
}

type errBadLogAddress string

func (e errBadLogAddress) Error() string {
	return "log address " + string(e) + ` not understood (want "/dev/log", "udp://HOST:PORT", "unix:///path" or "stderr")`
}
