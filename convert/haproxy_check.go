package convert

import (
	"strings"
)

// httpchk converts `option httpchk [[METHOD] URI [VERSION]]`.
func (c *hapConv) httpchk(s *section, args []string, line int) {
	kw := "option httpchk"
	if kindBit(s.kind)&(kBE|kDefaults) == 0 {
		c.rep.ignored(line, kw, "haproxy ignores health-check settings in a frontend")
		return
	}
	t := newTable(chkOrder...)
	var notes []string
	switch len(args) {
	case 0:
	case 1:
		t.str("uri", args[0])
	default:
		t.str("method", args[0])
		t.str("uri", args[1])
		if len(args) > 2 {
			notes = append(notes, checkVersion(t, args[2])...)
		}
		if len(args) > 3 {
			notes = append(notes, "extra words '"+strings.Join(args[3:], " ")+"' dropped")
		}
	}
	s.t.set("httpchk", &value{tab: t})
	if len(notes) > 0 {
		c.rep.approx(line, kw, "%s; %s", s.path("httpchk"), strings.Join(notes, "; "))
		return
	}
	c.rep.mapped(line, kw, "%s", s.path("httpchk"))
}

// checkVersion reads the version word of option httpchk, which old
// configurations use to smuggle headers ("HTTP/1.1\r\nHost:\ www").
func checkVersion(t *table, v string) (notes []string) {
	parts := strings.Split(v, "\r\n")
	switch parts[0] {
	case "HTTP/1.0", "HTTP/1.1":
		t.str("version", parts[0])
	default:
		notes = append(notes, "version '"+parts[0]+"' dropped: HTTP/1.0 or HTTP/1.1 only")
	}
	for _, h := range parts[1:] {
		name, val, ok := strings.Cut(h, ":")
		val = strings.TrimSpace(val)
		switch {
		case h == "":
		case ok && strings.EqualFold(strings.TrimSpace(name), "host") && val != "":
			t.str("host", val)
		default:
			notes = append(notes, "check header '"+h+"' dropped: only Host is sent")
		}
	}
	return notes
}

// httpCheck records `http-check` settings; applyCheckMods applies them.
func (c *hapConv) httpCheck(s *section, w []string, line int) {
	if len(w) < 2 {
		c.rep.ignored(line, "http-check", "expects a keyword")
		return
	}
	kw := "http-check " + w[1]
	mods := s.chkMods
	if mods == nil {
		mods = newTable(chkOrder...)
	}
	switch w[1] {
	case "expect":
		a := w[2:]
		for len(a) >= 2 && (a[0] == "min-recv" || a[0] == "comment" || a[0] == "ok-status" ||
			a[0] == "error-status" || a[0] == "tout-status" || a[0] == "on-success" ||
			a[0] == "on-error" || a[0] == "status-code") {
			c.rep.ignored(line, kw+" "+a[0], "not supported")
			a = a[2:]
		}
		if len(a) != 2 || a[0] != "status" || !statusRange(a[1]) {
			c.rep.ignored(line, kw, "only 'expect status CODE' (or a range like 200-399) is supported; servers pass with a 2xx or 3xx status")
			return
		}
		mods.str("expect_status", a[1])
		c.rep.mapped(line, kw, "%s", s.path("httpchk.expect_status"))
	case "send":
		a := w[2:]
		for i := 0; i < len(a); i++ {
			switch a[i] {
			case "meth", "uri", "ver":
				if i+1 >= len(a) {
					c.rep.ignored(line, kw+" "+a[i], "expects a value")
					continue
				}
				key := map[string]string{"meth": "method", "uri": "uri", "ver": "version"}[a[i]]
				i++
				mods.str(key, a[i])
				c.rep.mapped(line, kw+" "+a[i-1], "%s", s.path("httpchk."+key))
			case "hdr":
				if i+2 >= len(a) {
					c.rep.ignored(line, kw+" hdr", "expects a name and a value")
					i = len(a)
					continue
				}
				if strings.EqualFold(a[i+1], "host") {
					mods.str("host", a[i+2])
					c.rep.mapped(line, kw+" hdr", "%s", s.path("httpchk.host"))
				} else {
					c.rep.ignored(line, kw+" hdr", "only the Host header is sent with checks")
				}
				i += 2
			case "body", "body-lf", "uri-lf", "comment":
				c.rep.ignored(line, kw+" "+a[i], "not supported")
				i++
			default:
				c.rep.ignored(line, kw+" "+a[i], "unknown setting")
			}
		}
	default:
		c.rep.ignored(line, kw, "not supported")
		return
	}
	if len(mods.keys) > 0 {
		s.chkMods = mods
		if s.chkLine == 0 {
			s.chkLine = line
		}
	}
}

// statusRange reports whether v is "NNN" or "NNN-NNN".
func statusRange(v string) bool {
	lo, hi, ok := strings.Cut(v, "-")
	if !ok {
		hi = lo
	}
	num := func(x string) bool {
		return len(x) == 3 && x[0] >= '1' && x[0] <= '5' && x[1] >= '0' && x[1] <= '9' && x[2] >= '0' && x[2] <= '9'
	}
	return num(lo) && num(hi) && lo <= hi
}

// applyCheckMods writes http-check settings into the httpchk table that
// applies to s, as haproxy does: a section's own http-check lines, else
// those of its defaults, refine its own option httpchk, else the one of
// its defaults.
func (c *hapConv) applyCheckMods(s, defs *section) {
	mods := s.chkMods
	if mods == nil && defs != nil && s.t.has("httpchk") {
		mods = defs.chkMods
	}
	if mods == nil {
		return
	}
	chk := s.t.get("httpchk")
	if chk == nil && defs != nil && s.chkMods != nil {
		if d := defs.t.get("httpchk"); d != nil {
			chk = d.clone()
			s.t.set("httpchk", chk)
		}
	}
	if chk == nil || chk.tab == nil {
		if s.chkMods != nil && s.kind != "defaults" {
			c.rep.ignored(s.chkLine, "http-check", "no 'option httpchk' applies to %s, so haproxy runs TCP-connect checks", s.kind+" "+s.name)
		}
		return
	}
	for _, k := range mods.keys {
		chk.tab.set(k, mods.vals[k].clone())
	}
}
