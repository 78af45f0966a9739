package convert

import (
	"strconv"
)

var trackOrder = []string{"frontend", "backend", "interface", "script", "interval", "timeout", "rise", "fall", "weight"}

// trackScripts converts a track_script block: NAME [weight N [reverse]]
// per line.
func (in *kaInstance) trackScripts(c *kaNode) {
	k := in.k
	k.rep.mapped(c.line, c.kw(), "track")
	for _, l := range c.block {
		name, a := l.kw(), l.args()
		s := k.scripts[name]
		if s == nil {
			k.rep.ignored(l.line, name, "no vrrp_script named '%s'", name)
			continue
		}
		if s.script == "" {
			k.rep.ignored(l.line, name, "vrrp_script '%s' has no script", name)
			continue
		}
		weight := s.weight
		if len(a) >= 2 && a[0] == "weight" {
			w, err := strconv.Atoi(a[1])
			if err != nil || w < -254 || w > 254 {
				k.rep.ignored(l.line, name+" weight", "expects -254..254; the script's weight applies")
			} else {
				weight = w
			}
			if len(a) > 2 && a[2] == "reverse" {
				k.rep.ignored(l.line, name+" reverse", "'reverse' is not supported: the weight applies in keepalived's usual direction")
			}
		}
		row := newTable(trackOrder...)
		if isHaproxyCheck(s.script) {
			if fe, why := k.frontend(); fe != "" {
				row.str("frontend", fe)
				row.num("weight", weight)
				in.t.addRow("track", row)
				note := ""
				if s.interval != "" || s.timeout != "" || s.rise != 0 || s.fall != 0 {
					note = "; the script's interval, timeout, rise and fall do not apply to a frontend probe"
				}
				k.rep.approx(l.line, name, "track { frontend = %q, weight = %d }: vrrp_script '%s' only checks that haproxy runs, and haappliance is that proxy: it probes its own %s%s", fe, weight, name, why, note)
				continue
			}
			k.rep.approx(l.line, name, "no frontend in the haproxy configuration to probe: kept as a script track, which fails for good once haproxy is gone")
		}
		row.str("script", s.script)
		if s.interval != "" {
			row.str("interval", s.interval)
		}
		if s.timeout != "" {
			row.str("timeout", s.timeout)
		}
		if s.rise != 0 {
			row.num("rise", s.rise)
		}
		if s.fall != 0 {
			row.num("fall", s.fall)
		}
		row.num("weight", weight)
		in.t.addRow("track", row)
		k.rep.mapped(l.line, name, "track { script = %q, weight = %d }", s.script, weight)
	}
}

// trackInterfaces converts a track_interface block: IFNAME [weight N].
func (in *kaInstance) trackInterfaces(c *kaNode) {
	k := in.k
	k.rep.mapped(c.line, c.kw(), "track")
	for _, l := range c.block {
		name, a := l.kw(), l.args()
		weight := 0
		if len(a) >= 2 && a[0] == "weight" {
			w, err := strconv.Atoi(a[1])
			if err != nil || w < -254 || w > 254 {
				k.rep.ignored(l.line, name, "weight expects -254..254")
				continue
			}
			weight = w
		}
		row := newTable(trackOrder...)
		row.str("interface", name)
		row.num("weight", weight)
		in.t.addRow("track", row)
		k.rep.mapped(l.line, name, "track { interface = %q, weight = %d }", name, weight)
	}
}

// finish applies the instance's defaults and what needs all its lines.
func (in *kaInstance) finish() {
	k, t := in.k, in.t
	v, why := in.version, ""
	switch {
	case v != 0:
	case in.firstV6:
		v, why = 3, "IPv6 addresses need VRRPv3, as keepalived chooses"
	case k.version != 0:
		v, why = k.version, "from global_defs vrrp_version"
	default:
		v, why = 2, "keepalived's default, kept so a keepalived peer still understands this node"
	}
	t.num("version", v)
	if why != "" {
		k.rep.mapped(in.line, "vrrp_instance", "version = %d: %s", v, why)
	}
	for _, key := range k.garp.keys {
		if !t.has(key) {
			t.set(key, k.garp.vals[key].clone())
		}
	}
	if in.master && !in.priority {
		k.rep.approx(in.line, "vrrp_instance", "state MASTER without priority: haappliance uses priority 100; set it explicitly")
	}
	if in.authLine != 0 {
		in.finishAuth(v)
	}
}

func (in *kaInstance) finishAuth(version int) {
	k := in.k
	why := ""
	switch {
	case in.authType == "":
		why = "no auth_type given"
	case in.authType != "PASS":
		why = "auth_type '" + in.authType + "' is not supported (only PASS): the pair runs without authentication; set it the same on both nodes"
	case version == 3:
		why = "VRRPv3 has no authentication (RFC 5798); keepalived ignores it too"
	case in.authPass == "":
		why = "no auth_pass given"
	}
	if why != "" {
		for _, l := range []int{in.authLine, in.typeLine, in.passLine} {
			if l != 0 {
				k.rep.ignored(l, "authentication", "%s", why)
			}
		}
		return
	}
	k.rep.mapped(in.authLine, "authentication", "auth_pass")
	k.rep.mapped(in.typeLine, "auth_type", "PASS: auth_pass is the VRRPv2 simple password")
	if len(in.authPass) > 8 {
		in.t.str("auth_pass", in.authPass[:8])
		k.rep.approx(in.passLine, "auth_pass", "cut to its first 8 characters, as keepalived sends it")
		return
	}
	in.t.str("auth_pass", in.authPass)
	k.rep.mapped(in.passLine, "auth_pass", "auth_pass")
}
