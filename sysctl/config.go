package sysctl

import (
	"sort"
	"strings"

	"haappliance/config"
)

// Config is the [sysctl] section.
//
//	[sysctl]
//	apply = true
//	[sysctl.set]
//	"net.core.somaxconn" = "20000"
type Config struct {
	// Apply writes the planned settings at `run`; nil means true.
	Apply *bool `toml:"apply"`
	// Set overrides recommended keys or adds new ones, key → value.
	Set map[string]string `toml:"set"`
}

// ApplyEnabled reports whether `run` writes the settings (default true).
func (c Config) ApplyEnabled() bool { return c.Apply == nil || *c.Apply }

// Validate returns every problem of the section, with key paths relative to
// it ("set.net.core.somaxconn"); the caller prefixes "sysctl".
func (c Config) Validate() []config.Problem {
	var ps []config.Problem
	keys := make([]string, 0, len(c.Set))
	for k := range c.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := make(map[string]string, len(keys))
	for _, k := range keys {
		p := config.Join("set", k)
		if k == "" {
			p = "set"
		}
		if err := CheckKey(k); err != nil {
			ps = append(ps, config.Problemf(p, "%v", err))
		} else if first, dup := seen[keyPath(k)]; dup {
			ps = append(ps, config.Problemf(p, "same key as %q", first))
		} else {
			seen[keyPath(k)] = k
		}
		if err := checkValue(c.Set[k]); err != nil {
			ps = append(ps, config.Problemf(p, "%v", err))
		}
	}
	return ps
}

// CheckKey reports whether k looks like a sysctl key: at least two
// components of letters, digits, '_', '-', none empty, "." or "..". As in
// sysctl(8), a key whose first separator is '/' is a path
// ("net/ipv4/conf/eth0.100/rp_filter"); otherwise dots separate and a '/'
// stands for a dot inside a name ("net.ipv4.conf.eth0/100.rp_filter").
func CheckKey(k string) error {
	if k == "" {
		return errf("empty sysctl key")
	}
	if len(k) > 255 {
		return errf("sysctl key %.40q... is too long", k)
	}
	parts := strings.Split(keyPath(k), "/")
	if len(parts) < 2 {
		return errf("sysctl key %q has no dots (want a name like net.core.somaxconn)", k)
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return errf("sysctl key %q has an empty or relative component", k)
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			ok := c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
			if !ok {
				return errf("sysctl key %q has the character %q (want letters, digits, '_', '-' between dots)", k, c)
			}
		}
	}
	return nil
}

// checkValue wants a non-empty single-line value.
func checkValue(v string) error {
	if strings.TrimSpace(v) == "" {
		return errf("empty value")
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return errf("value %q has a control character", v)
		}
	}
	return nil
}
