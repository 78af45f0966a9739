package checks

import (
	"time"

	"haappliance/config"
)

// Params are the timing keys of one checked server. The first five are server
// keys (also valid in a backend's default_server table) and carry TOML tags so
// the proxy's server table can embed Params; Timeout and ConnectTimeout come
// from the backend's `timeout` table (`check`, `connect`) and are filled in by
// the caller. A zero value means "not set": the methods return HAProxy's
// defaults.
type Params struct {
	Inter     config.Duration `toml:"inter"`
	FastInter config.Duration `toml:"fastinter"`
	DownInter config.Duration `toml:"downinter"`
	Rise      int             `toml:"rise"`
	Fall      int             `toml:"fall"`

	Timeout        config.Duration `toml:"-"` // backend `timeout check`
	ConnectTimeout config.Duration `toml:"-"` // backend `timeout connect`
}

// Validate returns every problem, with paths relative to the server table.
func (p Params) Validate() []config.Problem {
	var ps []config.Problem
	if p.Rise < 0 {
		ps = append(ps, config.Problemf("rise", "rise must be at least 1, not %d", p.Rise))
	}
	if p.Fall < 0 {
		ps = append(ps, config.Problemf("fall", "fall must be at least 1, not %d", p.Fall))
	}
	// HAProxy rejects intervals of 0; config.Duration cannot carry a negative
	// value, and 0 means "not set".
	return ps
}

// WithDefaults returns p with every unset key taken from def; this is how a
// backend's default_server applies to its servers. Timeout and
// ConnectTimeout are taken from def when unset too.
func (p Params) WithDefaults(def Params) Params {
	if !p.Inter.IsSet() {
		p.Inter = def.Inter
	}
	if !p.FastInter.IsSet() {
		p.FastInter = def.FastInter
	}
	if !p.DownInter.IsSet() {
		p.DownInter = def.DownInter
	}
	if p.Rise == 0 {
		p.Rise = def.Rise
	}
	if p.Fall == 0 {
		p.Fall = def.Fall
	}
	if !p.Timeout.IsSet() {
		p.Timeout = def.Timeout
	}
	if !p.ConnectTimeout.IsSet() {
		p.ConnectTimeout = def.ConnectTimeout
	}
	return p
}

// InterDur is the interval while the server is fully UP (default 2s).
func (p Params) InterDur() time.Duration { return p.Inter.Or(DefaultInter) }

// FastInterDur is the interval while the server is in transition or not yet
// checked (default: inter).
func (p Params) FastInterDur() time.Duration { return p.FastInter.Or(p.InterDur()) }

// DownInterDur is the interval while the server is fully DOWN (default: inter).
func (p Params) DownInterDur() time.Duration { return p.DownInter.Or(p.InterDur()) }

// RiseN is the number of consecutive successes that bring a server UP (default 2).
func (p Params) RiseN() int {
	if p.Rise <= 0 {
		return DefaultRise
	}
	return p.Rise
}

// FallN is the number of consecutive failures that bring a server DOWN (default 3).
func (p Params) FallN() int {
	if p.Fall <= 0 {
		return DefaultFall
	}
	return p.Fall
}

// ConnectDeadline is how long a check may take to establish its connection:
// min(timeout connect, inter) when `timeout check` is set, else inter (which
// then bounds the whole check).
func (p Params) ConnectDeadline() time.Duration {
	inter := p.InterDur()
	if p.Timeout.IsSet() && p.ConnectTimeout.IsSet() && p.ConnectTimeout.D() < inter {
		return p.ConnectTimeout.D()
	}
	return inter
}

// ResponseDeadline is how long a check may wait for the response once
// connected, and whether that time counts from the connection (true, with
// `timeout check`) or from the start of the check (false: inter bounds the
// whole check).
func (p Params) ResponseDeadline() (d time.Duration, fromConnect bool) {
	if p.Timeout.IsSet() {
		return p.Timeout.D(), true
	}
	return p.InterDur(), false
}

// Spread returns when the check of server i (0-based) of n should first run,
// counting from the start of the checks: HAProxy's start_checks places them
// at inter*i/n so a large pool does not check in bursts.
func Spread(i, n int, inter time.Duration) time.Duration {
	if n <= 0 || i <= 0 {
		return 0
	}
	return time.Duration(int64(inter) * int64(i%n) / int64(n))
}
