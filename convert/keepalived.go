package convert

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"haappliance/config"
)

var instanceOrder = []string{
	"name", "interface", "state", "virtual_router_id", "priority", "advert_interval", "version",
	"preempt", "preempt_delay", "accept_mode", "virtual_ipaddress", "unicast_src_ip", "unicast_peer",
	"auth_pass", "garp_master_delay", "garp_master_repeat", "garp_master_refresh", "notify",
	"notify_master", "notify_backup", "notify_fault", "track",
}

// kaTopIgnored are top-level keepalived blocks with no haappliance
// equivalent.
var kaTopIgnored = map[string]string{
	"vrrp_sync_group":      "sync groups are not supported: each instance fails over on its own",
	"virtual_server":       "LVS virtual servers are not converted: haappliance balances at L4/L7 itself (see the haproxy configuration)",
	"virtual_server_group": "LVS virtual servers are not converted",
	"static_ipaddress":     "static addresses belong in the host's network configuration",
	"static_routes":        "static routes belong in the host's network configuration",
	"static_rules":         "static rules belong in the host's network configuration",
	"vrrp_track_process":   "process tracking is not supported",
	"vrrp_track_file":      "file tracking is not supported",
	"track_file":           "file tracking is not supported",
	"bfd_instance":         "BFD is not supported",
	"linkbeat_interfaces":  "link state is followed through netlink",
	"include":              "included files are not read: append them to this file and convert again",
}

// kaScript is a vrrp_script definition.
type kaScript struct {
	name, script       string
	line, scriptLine   int
	interval, timeout  string
	rise, fall, weight int
	hasWeight, reverse bool
}

// kaConv converts one keepalived.conf.
type kaConv struct {
	rep      *reporter
	out      *output
	scripts  map[string]*kaScript
	version  int // global_defs vrrp_version, 0 when not set
	garp     *table
	frontend func() (name, why string)
}

func (k *kaConv) convert(nodes []*kaNode) {
	k.scripts = map[string]*kaScript{}
	k.garp = newTable()
	for _, n := range nodes {
		switch n.kw() {
		case "global_defs":
			k.globalDefs(n)
		case "vrrp_script":
			k.script(n)
		}
	}
	for _, n := range nodes {
		kw := n.kw()
		switch {
		case kw == "global_defs" || kw == "vrrp_script":
		case kw == "vrrp_instance":
			k.instance(n)
		case kaTopIgnored[kw] != "":
			k.ignoreTree(n, kaTopIgnored[kw])
		case kw == "":
			k.ignoreTree(n, "a block without a keyword")
		default:
			k.ignoreTree(n, "unknown keyword, not carried over")
		}
	}
}

func (k *kaConv) globalDefs(n *kaNode) {
	k.rep.mapped(n.line, "global_defs", "read for the instances' defaults")
	for _, c := range n.block {
		kw, a := c.kw(), c.args()
		switch kw {
		case "vrrp_version":
			if v, err := strconv.Atoi(first(a)); err == nil && (v == 2 || v == 3) {
				k.version = v
				k.rep.mapped(c.line, kw, "the version of every instance that sets none")
			} else {
				k.rep.ignored(c.line, kw, "expects 2 or 3")
			}
		case "vrrp_garp_master_delay", "vrrp_garp_master_refresh":
			key := strings.TrimPrefix(kw, "vrrp_")
			if d, ok := kaSeconds(first(a)); ok {
				k.garp.str(key, d)
				k.rep.mapped(c.line, kw, "%s of every instance that sets none", key)
			} else {
				k.rep.ignored(c.line, kw, "expects seconds")
			}
		case "vrrp_garp_master_repeat":
			if v, err := strconv.Atoi(first(a)); err == nil {
				k.garp.num("garp_master_repeat", v)
				k.rep.mapped(c.line, kw, "garp_master_repeat of every instance that sets none")
			} else {
				k.rep.ignored(c.line, kw, "expects a number")
			}
		case "router_id":
			k.rep.ignored(c.line, kw, "haappliance names its instances in its log lines; no router id is needed")
		case "script_user", "enable_script_security":
			k.rep.ignored(c.line, kw, "notify and track scripts run as the user haappliance runs as")
		case "vrrp_strict":
			k.rep.ignored(c.line, kw, "strict mode is not supported: VIPs always accept traffic (the proxy serves on them)")
		default:
			k.ignoreTree(c, "global setting not carried over")
		}
	}
}

func (k *kaConv) script(n *kaNode) {
	a := n.args()
	if len(a) != 1 {
		k.rep.ignored(n.line, "vrrp_script", "expects one name")
		return
	}
	s := &kaScript{name: a[0], line: n.line}
	k.scripts[s.name] = s
	k.rep.mapped(n.line, "vrrp_script", "becomes a track of each instance that names it in track_script")
	for _, c := range n.block {
		kw, ca := c.kw(), c.args()
		switch kw {
		case "script":
			if len(ca) == 0 {
				k.rep.ignored(c.line, kw, "expects a command")
				continue
			}
			s.script, s.scriptLine = c.command(), c.line
			if isHaproxyCheck(s.script) {
				k.rep.approx(c.line, kw, "'%s' only checks that haproxy runs: haappliance is the proxy, so the track probes its own frontend instead (SPEC §4.1)", s.script)
			} else {
				k.rep.mapped(c.line, kw, "track script")
			}
		case "interval", "timeout":
			d, ok := kaSeconds(first(ca))
			if !ok {
				k.rep.ignored(c.line, kw, "expects seconds")
				continue
			}
			if kw == "interval" {
				s.interval = d
			} else {
				s.timeout = d
			}
			k.rep.mapped(c.line, kw, "track %s", kw)
		case "rise", "fall":
			v, err := strconv.Atoi(first(ca))
			if err != nil || v < 1 {
				k.rep.ignored(c.line, kw, "expects a number of 1 or more")
				continue
			}
			if kw == "rise" {
				s.rise = v
			} else {
				s.fall = v
			}
			k.rep.mapped(c.line, kw, "track %s", kw)
		case "weight":
			v, err := strconv.Atoi(first(ca))
			if err != nil || v < -254 || v > 254 {
				k.rep.ignored(c.line, kw, "expects -254..254")
				continue
			}
			s.weight, s.hasWeight = v, true
			k.rep.mapped(c.line, kw, "track weight")
			if len(ca) > 1 && ca[1] == "reverse" {
				s.reverse = true
				k.rep.ignored(c.line, "weight reverse", "'reverse' is not supported: the weight applies in keepalived's usual direction")
			}
		case "user":
			k.rep.ignored(c.line, kw, "scripts run as the user haappliance runs as")
		case "init_fail":
			k.rep.ignored(c.line, kw, "tracks start as holding")
		default:
			k.ignoreTree(c, "unknown vrrp_script keyword, not carried over")
		}
	}
}

// isHaproxyCheck reports whether a track script only checks that haproxy
// runs: killall -0 haproxy, pidof haproxy, pgrep haproxy or systemctl
// is-active haproxy.
func isHaproxyCheck(cmd string) bool {
	f := strings.Fields(strings.ReplaceAll(cmd, "'", ""))
	if len(f) < 2 {
		return false
	}
	prog := f[0][strings.LastIndexByte(f[0], '/')+1:]
	target := strings.TrimSuffix(f[len(f)-1], ".service")
	if target != "haproxy" {
		return false
	}
	mid := f[1 : len(f)-1]
	switch prog {
	case "killall":
		return len(mid) == 1 && mid[0] == "-0"
	case "pidof", "pgrep":
		for _, m := range mid {
			if m != "-s" && m != "-x" {
				return false
			}
		}
		return true
	case "systemctl":
		has := false
		for _, m := range mid {
			switch m {
			case "is-active":
				has = true
			case "--quiet", "-q":
			default:
				return false
			}
		}
		return has
	}
	return false
}

// kaSeconds reads keepalived seconds (an integer or a decimal) as a
// duration string.
func kaSeconds(s string) (string, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e6 || math.IsNaN(f) {
		return "", false
	}
	d := time.Duration(math.Round(f*1000)) * time.Millisecond
	return config.FormatDuration(d), true
}

// ignoreTree reports n as ignored, and every statement of its block as
// ignored with it.
func (k *kaConv) ignoreTree(n *kaNode, why string) {
	kw := n.kw()
	if kw == "" {
		kw = "{"
	}
	k.rep.ignored(n.line, kw, "%s", why)
	stack := append([]*kaNode(nil), n.block...)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ckw := c.kw()
		if ckw == "" {
			ckw = "{"
		}
		k.rep.ignored(c.line, ckw, "inside '%s' (line %d), which is not converted", kw, n.line)
		stack = append(stack, c.block...)
	}
}

func first(a []string) string {
	if len(a) == 0 {
		return ""
	}
	return a[0]
}

// vipAddress reads a virtual_ipaddress word: a bare address gets the host
// prefix, as keepalived adds it.
func vipAddress(s string) (string, bool, bool) {
	if strings.Contains(s, "/") {
		_, err := netip.ParsePrefix(s)
		return s, false, err == nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return s, false, false
	}
	return netip.PrefixFrom(a, a.BitLen()).String(), true, true
}
