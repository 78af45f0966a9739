package convert

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"haappliance/proxy/acl"
)

// Section kinds as bits, for the sections a keyword is allowed in.
const (
	kDefaults = 1 << iota
	kFrontend
	kBackend
	kListen

	kFE  = kFrontend | kListen
	kBE  = kBackend | kListen
	kAll = kDefaults | kFrontend | kBackend | kListen
)

func kindBit(kind string) int {
	switch kind {
	case "defaults":
		return kDefaults
	case "frontend":
		return kFrontend
	case "backend":
		return kBackend
	case "listen":
		return kListen
	}
	return 0
}

// ignoredSections are haproxy sections with no haappliance equivalent.
var ignoredSections = map[string]string{
	"peers":       "stick-table replication between peers is not supported",
	"resolvers":   "DNS resolution at run time is not supported: servers are resolved at start",
	"mailers":     "mail alerts are not sent: alert on the syslog lines instead (SPEC §9.1)",
	"cache":       "haappliance has no response cache",
	"program":     "haappliance starts no external programs",
	"http-errors": "haappliance answers errors with its built-in pages",
	"ring":        "log rings are not supported: use [[global.log]] targets",
	"fcgi-app":    "FastCGI applications are not supported",
	"log-forward": "syslog forwarding is not supported",
}

// hapConv converts one haproxy.cfg.
type hapConv struct {
	rep  *reporter
	out  *output
	errs []error

	state    string // "", "global", "proxy", "userlist", "skip"
	cur      *section
	ul       *userlist
	skipWhy  string
	skipName string

	defs      *section            // the defaults section in effect
	base      *section            // the first defaults section: [defaults]
	namedDefs map[string]*section // named defaults sections
	byName    map[string]*section // "frontend/NAME" etc.
	ulByName  map[string]*userlist
	groups    map[*userlist]map[string][]string // group lines: user → groups
	userNames map[*userlist]map[string]*table   // user → its row
}

func newHapConv(name string, out *output) *hapConv {
	return &hapConv{
		rep:       &reporter{file: name},
		out:       out,
		namedDefs: map[string]*section{},
		byName:    map[string]*section{},
		ulByName:  map[string]*userlist{},
		groups:    map[*userlist]map[string][]string{},
		userNames: map[*userlist]map[string]*table{},
	}
}

// parse reads the whole file.
func (c *hapConv) parse(src []byte) {
	for i, raw := range strings.Split(string(src), "\n") {
		line := i + 1
		raw = strings.TrimSuffix(raw, "\r")
		if !utf8.ValidString(raw) {
			c.rep.ignored(line, "line", "not valid UTF-8, which a TOML file cannot carry")
			continue
		}
		words, err := acl.Words(raw)
		if err != nil {
			c.errs = append(c.errs, fmt.Errorf("%s:%d: %v", c.rep.file, line, err))
			continue
		}
		if len(words) == 0 {
			continue
		}
		if strings.Contains(raw, "${") || strings.Contains(raw, "\"$") {
			c.rep.approx(line, words[0], "environment variables are not expanded: '$' is kept as written")
		}
		if c.header(words, line) {
			continue
		}
		switch c.state {
		case "global":
			c.global(words, line)
		case "proxy":
			c.proxyLine(c.cur, words, line)
		case "userlist":
			c.userlistLine(words, line)
		case "skip":
			c.rep.ignored(line, words[0], "inside '%s', which is not converted", c.skipName)
		default:
			c.rep.ignored(line, words[0], "outside of any section (haproxy refuses this)")
		}
	}
	c.finish()
}

// header starts a new section when words is a section line.
func (c *hapConv) header(w []string, line int) bool {
	kw := w[0]
	switch kw {
	case "global":
		c.state = "global"
		c.rep.mapped(line, kw, "[global]")
		for _, x := range w[1:] {
			c.rep.ignored(line, kw, "extra word '%s'", x)
		}
		return true
	case "defaults", "frontend", "backend", "listen":
		c.section(kw, w[1:], line)
		return true
	case "userlist":
		c.startUserlist(w, line)
		return true
	}
	if why, ok := ignoredSections[kw]; ok {
		c.state, c.skipName = "skip", strings.Join(w, " ")
		c.rep.ignored(line, kw, "%s", why)
		return true
	}
	return false
}

// section opens a defaults, frontend, backend or listen section.
func (c *hapConv) section(kind string, args []string, line int) {
	name, from := "", ""
	if len(args) > 0 && args[0] != "from" {
		name, args = args[0], args[1:]
	}
	if len(args) >= 2 && args[0] == "from" {
		from, args = args[1], args[2:]
	}
	for _, x := range args {
		c.rep.ignored(line, kind, "extra word '%s'", x)
	}
	s := &section{kind: kind, name: name, line: line, t: newTable(sectionOrder...)}
	c.state, c.cur = "proxy", s
	if from != "" {
		if d, ok := c.namedDefs[from]; ok {
			s.defs = d
		} else {
			c.rep.ignored(line, kind, "no defaults section named '%s' before this line", from)
			s.defs = c.defs
		}
	} else {
		s.defs = c.defs
	}
	if kind == "defaults" {
		if name != "" {
			c.namedDefs[name] = s
		}
		switch {
		case c.base == nil:
			c.base = s
			c.out.defaults = s.t
			c.rep.mapped(line, kind, "[defaults]")
		default:
			c.rep.approx(line, kind, "haappliance has one [defaults]: the keys of this section are written into each section that uses it; keys of the first defaults section it does not set still apply to them")
		}
		if from != "" {
			c.rep.approx(line, kind, "'from %s': a defaults section inheriting from another is flattened into the sections that use it", from)
		}
		c.defs = s
		return
	}
	if name == "" {
		c.rep.ignored(line, kind, "a %s section needs a name (haproxy refuses this); its lines are skipped", kind)
		c.state, c.skipName = "skip", kind
		return
	}
	key := kind + "/" + name
	if _, dup := c.byName[key]; dup {
		c.rep.ignored(line, kind, "a second %s named '%s' (haproxy refuses this); its lines are skipped", kind, name)
		c.state, c.skipName = "skip", kind+" "+name
		return
	}
	c.byName[key] = s
	c.out.sections = append(c.out.sections, s)
	c.rep.mapped(line, kind, "[%s.%s]", kind, name)
}

// path names a key of section s for the report.
func (s *section) path(key string) string {
	if s.kind == "defaults" {
		return "defaults." + key
	}
	return s.kind + "." + s.name + "." + key
}

// finish applies what needs the whole file: flattened defaults, options,
// redirect rules, http-check settings and userlist groups.
func (c *hapConv) finish() {
	for _, s := range c.out.sections {
		if s.defs != nil && s.defs != c.base {
			c.flatten(s, s.defs)
		}
	}
	all := c.out.sections
	if c.base != nil {
		all = append([]*section{c.base}, all...)
	}
	for _, s := range all {
		for _, o := range s.opts {
			s.t.push("option", o)
		}
		for _, r := range s.redirects {
			s.t.push("http_request", r)
		}
	}
	if c.base != nil {
		c.applyCheckMods(c.base, nil)
	}
	for _, s := range c.out.sections {
		if kindBit(s.kind)&kBE != 0 {
			c.applyCheckMods(s, s.defs)
		}
	}
	c.finishUserlists()
}

// flatten writes the keys of defaults section d that s does not set into s.
func (c *hapConv) flatten(s, d *section) {
	bit := kindBit(s.kind)
	for _, k := range d.t.keys {
		if keyKinds[k]&bit == 0 {
			continue
		}
		dv := d.t.vals[k]
		sv := s.t.get(k)
		switch {
		case sv == nil && k == "timeout" && dv.tab != nil:
			t := s.t.sub("timeout")
			for _, tk := range dv.tab.keys {
				if timeoutKinds[tk]&bit != 0 {
					t.set(tk, dv.tab.vals[tk].clone())
				}
			}
			if len(t.keys) == 0 {
				s.t.del("timeout")
			}
		case sv == nil:
			s.t.set(k, dv.clone())
		case k == "timeout" && dv.tab != nil && sv.tab != nil:
			for _, tk := range dv.tab.keys {
				if !sv.tab.has(tk) && timeoutKinds[tk]&bit != 0 {
					sv.tab.set(tk, dv.tab.vals[tk].clone())
				}
			}
		}
	}
	var opts []string
	for _, o := range d.opts {
		if optionApplies(o, s.kind) {
			opts = append(opts, o)
		}
	}
	s.opts = append(opts, s.opts...)
	if s.chkMods == nil && d.chkMods != nil {
		s.chkMods, s.chkLine = d.chkMods.clone(), d.chkLine
	}
}

// keyKinds says which sections each TOML key belongs to.
var keyKinds = map[string]int{
	"bind": kFE, "accept_proxy": kFE, "maxconn": kFE | kDefaults, "acl": kFE | kBackend,
	"use_backend": kFE, "default_backend": kFE | kDefaults, "http_request": kFE | kBackend,
	"http_response": kFE | kBackend, "tls": kFE, "stats": kFE, "mode": kAll, "log": kAll,
	"option": kAll, "timeout": kAll, "balance": kBE | kDefaults, "hash_type": kBE | kDefaults,
	"cookie": kBE | kDefaults, "httpchk": kBE | kDefaults, "retries": kBE | kDefaults,
	"default_server": kBE | kDefaults, "server": kBE,
}
