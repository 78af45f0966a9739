package convert

import (
	"strconv"
	"strings"
)

// kaInstanceIgnored are vrrp_instance keywords not carried over.
var kaInstanceIgnored = map[string]string{
	"virtual_ipaddress_excluded": "excluded addresses are not supported: list them in virtual_ipaddress (they then appear in adverts) or configure them on the host",
	"virtual_routes":             "routes are not managed: configure them on the host",
	"virtual_rules":              "rules are not managed: configure them on the host",
	"mcast_src_ip":               "adverts leave from the interface's primary address",
	"notify_stop":                "not supported: use notify",
	"notify_deleted":             "not supported",
	"notify_master_rx_lower_pri": "not supported",
	"smtp_alert":                 "mail alerts are not sent: alert on the syslog lines (SPEC §9.1)",
	"debug":                      "not applicable",
	"dont_track_primary":         "the instance's interface is always followed",
	"use_vmac":                   "VMAC interfaces are not supported: VIPs go on the interface",
	"vmac_xmit_base":             "VMAC interfaces are not supported",
	"native_ipv6":                "not applicable",
	"strict_mode":                "strict mode is not supported",
	"skip_check_adv_addr":        "advertised addresses are always checked",
	"check_unicast_src":          "not supported",
	"track_process":              "process tracking is not supported",
	"track_file":                 "file tracking is not supported",
	"track_bfd":                  "BFD is not supported",
	"garp_master_refresh_repeat": "not supported",
	"garp_lower_prio_delay":      "not supported",
	"garp_lower_prio_repeat":     "not supported",
	"lower_prio_no_advert":       "not supported",
	"higher_prio_send_advert":    "not supported",
	"kernel_rx_buf_size":         "not applicable",
	"unicast_ttl":                "adverts are sent with TTL 255 (RFC 5798)",
	"no_accept":                  "haappliance always accepts traffic on its VIPs: the proxy serves on them",
}

// instance converts one vrrp_instance block.
func (k *kaConv) instance(n *kaNode) {
	a := n.args()
	if len(a) != 1 || !n.hasBlock {
		k.rep.ignored(n.line, "vrrp_instance", "expects a name and a block")
		return
	}
	t := newTable(instanceOrder...)
	t.str("name", a[0])
	k.rep.mapped(n.line, "vrrp_instance", "[[vrrp.instance]] name = %q", a[0])
	in := &kaInstance{k: k, t: t, line: n.line}
	for _, c := range n.block {
		in.keyword(c)
	}
	in.finish()
	k.out.instances = append(k.out.instances, t)
}

type kaInstance struct {
	k          *kaConv
	t          *table
	line       int
	version    int
	authType   string
	authPass   string
	authLine   int // the authentication block
	typeLine   int
	passLine   int
	priority   bool
	master     bool
	firstV6    bool
	vipLineSet bool
}

func (in *kaInstance) keyword(c *kaNode) {
	k, t := in.k, in.t
	kw, a := c.kw(), c.args()
	switch kw {
	case "state":
		switch first(a) {
		case "MASTER", "BACKUP":
			t.str("state", a[0])
			in.master = a[0] == "MASTER"
			k.rep.mapped(c.line, kw, "state (the initial hint)")
		default:
			k.rep.ignored(c.line, kw, "expects MASTER or BACKUP")
		}
	case "interface":
		in.str(c, "interface")
	case "unicast_src_ip":
		in.str(c, "unicast_src_ip")
	case "virtual_router_id", "priority", "garp_master_repeat":
		v, err := strconv.Atoi(first(a))
		if err != nil || len(a) != 1 {
			k.rep.ignored(c.line, kw, "expects a number")
			return
		}
		t.num(kw, v)
		in.priority = in.priority || kw == "priority"
		k.rep.mapped(c.line, kw, "%s", kw)
	case "advert_int", "preempt_delay", "garp_master_delay", "garp_master_refresh":
		d, ok := kaSeconds(first(a))
		if !ok || len(a) != 1 {
			k.rep.ignored(c.line, kw, "expects seconds")
			return
		}
		key := kw
		if kw == "advert_int" {
			key = "advert_interval"
		}
		t.str(key, d)
		k.rep.mapped(c.line, kw, "%s = %q", key, d)
	case "version":
		v, err := strconv.Atoi(first(a))
		if err != nil || (v != 2 && v != 3) {
			k.rep.ignored(c.line, kw, "expects 2 or 3")
			return
		}
		in.version = v
		k.rep.mapped(c.line, kw, "version")
	case "nopreempt":
		t.flag("preempt", false)
		k.rep.mapped(c.line, kw, "preempt = false")
	case "preempt":
		t.flag("preempt", true)
		k.rep.mapped(c.line, kw, "preempt = true")
	case "accept":
		t.flag("accept_mode", true)
		k.rep.mapped(c.line, kw, "accept_mode = true")
	case "virtual_ipaddress":
		in.vips(c)
	case "unicast_peer":
		in.peers(c)
	case "authentication":
		in.auth(c)
	case "track_script":
		in.trackScripts(c)
	case "track_interface":
		in.trackInterfaces(c)
	case "notify", "notify_master", "notify_backup", "notify_fault":
		if len(a) == 0 {
			k.rep.ignored(c.line, kw, "expects a command")
			return
		}
		t.str(kw, c.command())
		k.rep.mapped(c.line, kw, "%s (called as keepalived calls it)", kw)
	default:
		if why, ok := kaInstanceIgnored[kw]; ok {
			k.ignoreTree(c, why)
			return
		}
		k.ignoreTree(c, "unknown vrrp_instance keyword, not carried over")
	}
}

func (in *kaInstance) str(c *kaNode, key string) {
	a := c.args()
	if len(a) != 1 {
		in.k.rep.ignored(c.line, c.kw(), "expects one value")
		return
	}
	in.t.str(key, a[0])
	in.k.rep.mapped(c.line, c.kw(), "%s", key)
}

// vips converts the virtual_ipaddress block: ADDR[/LEN] [brd X] [dev X]
// [scope X] [label X] ... per line.
func (in *kaInstance) vips(c *kaNode) {
	k := in.k
	k.rep.mapped(c.line, c.kw(), "virtual_ipaddress")
	iface := ""
	if v := in.t.get("interface"); v != nil {
		iface = v.scalar
	}
	for _, l := range c.block {
		a := append([]string{l.kw()}, l.args()...)
		addr, bare, ok := vipAddress(a[0])
		if !ok {
			k.rep.ignored(l.line, a[0], "not an address")
			continue
		}
		if len(in.t.get("virtual_ipaddress").listOrNil()) == 0 {
			in.firstV6 = strings.Contains(addr, ":")
		}
		in.t.push("virtual_ipaddress", addr)
		if bare {
			k.rep.mapped(l.line, a[0], "virtual_ipaddress %s: no prefix length given, so the host prefix, as keepalived adds it", addr)
		} else {
			k.rep.mapped(l.line, a[0], "virtual_ipaddress %s", addr)
		}
		for i := 1; i < len(a); i++ {
			opt := a[i]
			val := ""
			if i+1 < len(a) && opt != "no_track" && opt != "home" && opt != "nodad" && opt != "noprefixroute" && opt != "autojoin" {
				i++
				val = a[i]
			}
			switch {
			case opt == "dev" && tomlString(val) == iface:
				k.rep.mapped(l.line, "dev", "the instance's interface")
			case opt == "dev":
				k.rep.ignored(l.line, "dev", "VIPs go on the instance's interface (%s), not on %s", strings.Trim(iface, `"`), val)
			case opt == "label":
				k.rep.ignored(l.line, "label", "haappliance labels its VIPs itself")
			default:
				k.rep.ignored(l.line, opt, "address option not supported")
			}
		}
	}
}

func (v *value) listOrNil() []string {
	if v == nil {
		return nil
	}
	return v.list
}

func (in *kaInstance) peers(c *kaNode) {
	in.k.rep.mapped(c.line, c.kw(), "unicast_peer")
	for _, l := range c.block {
		in.t.push("unicast_peer", l.kw())
		if len(l.words) > 1 {
			in.k.rep.approx(l.line, l.kw(), "unicast_peer; '%s' not supported", strings.Join(l.args(), " "))
			continue
		}
		in.k.rep.mapped(l.line, l.kw(), "unicast_peer")
	}
}

func (in *kaInstance) auth(c *kaNode) {
	in.authLine = c.line
	for _, l := range c.block {
		switch l.kw() {
		case "auth_type":
			in.authType, in.typeLine = first(l.args()), l.line
		case "auth_pass":
			in.authPass, in.passLine = strings.Join(l.args(), " "), l.line
		default:
			in.k.ignoreTree(l, "unknown authentication keyword")
		}
	}
}
