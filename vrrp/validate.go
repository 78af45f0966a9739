package vrrp

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"haappliance/config"
)

// Validate returns every problem of the section, with key paths relative to
// it (instance[0].priority); the caller prefixes "vrrp.". It has no side
// effects: interfaces and scripts are not looked up on this host.
func (c *Config) Validate() []config.Problem {
	var ps []config.Problem
	names := map[string]int{}
	type routerKey struct {
		ifname string
		vrid   int
		v6     bool
	}
	routers := map[routerKey]int{}
	for i := range c.Instances {
		in := &c.Instances[i]
		path := config.Index("instance", i)
		ps = append(ps, in.validate(path)...)
		if in.Name != "" {
			if j, dup := names[in.Name]; dup {
				ps = append(ps, config.Problemf(config.Join(path, "name"), "duplicate instance name %q (also instance[%d])", in.Name, j))
			} else {
				names[in.Name] = i
			}
		}
		k := routerKey{in.Interface, in.VirtualRouterID, in.IsIPv6()}
		if in.Interface != "" && in.VirtualRouterID != 0 {
			if j, dup := routers[k]; dup {
				ps = append(ps, config.Problemf(config.Join(path, "virtual_router_id"), "virtual_router_id %d is already used on interface %s by instance[%d]", in.VirtualRouterID, in.Interface, j))
			} else {
				routers[k] = i
			}
		}
	}
	return ps
}

func (c *InstanceConfig) validate(path string) []config.Problem {
	var ps []config.Problem
	add := func(key, format string, args ...any) {
		ps = append(ps, config.Problemf(config.Join(path, key), format, args...))
	}
	if c.Name == "" {
		add("name", "name is required")
	}
	switch {
	case c.Interface == "":
		add("interface", "interface is required")
	case len(c.Interface) > 15 || strings.ContainsAny(c.Interface, "/ :"):
		add("interface", "invalid interface name %q", c.Interface)
	}
	if c.State != "" && !strings.EqualFold(c.State, "MASTER") && !strings.EqualFold(c.State, "BACKUP") {
		add("state", "state must be MASTER or BACKUP, not %q", c.State)
	}
	if c.VirtualRouterID < 1 || c.VirtualRouterID > 255 {
		add("virtual_router_id", "virtual_router_id must be 1-255, not %d", c.VirtualRouterID)
	}
	if c.Priority != nil && (*c.Priority < 1 || *c.Priority > 255) {
		add("priority", "priority must be 1-255 (255 = address owner), not %d", *c.Priority)
	}
	if c.Version != 0 && c.Version != 2 && c.Version != 3 {
		add("version", "version must be 2 or 3, not %d", c.Version)
	}
	v6 := c.IsIPv6()
	version := c.ProtocolVersion()
	if v6 && version == 2 {
		add("version", "VRRPv2 carries IPv4 only: use version = 3 for IPv6 addresses")
	}
	ps = append(ps, c.validateInterval(path, version)...)
	if c.PreemptDelay.D() > 1000*time.Second {
		add("preempt_delay", "preempt_delay must be at most 1000s, not %s", c.PreemptDelay)
	}
	if c.AcceptMode != nil && !*c.AcceptMode {
		add("accept_mode", "accept_mode = false would need a packet filter on the VIPs, which haappliance does not install (the proxy serves on the VIPs); remove the key")
	}
	ps = append(ps, c.validateAddresses(path, v6)...)
	if c.AuthPass != "" {
		if version != 2 {
			add("auth_pass", "auth_pass is VRRPv2 only (RFC 5798 removed authentication)")
		}
		if len(c.AuthPass) > 8 {
			add("auth_pass", "auth_pass is at most 8 characters, not %d", len(c.AuthPass))
		}
	}
	if c.GARPMasterDelay != nil && c.GARPMasterDelay.D() > 1000*time.Second {
		add("garp_master_delay", "garp_master_delay must be at most 1000s, not %s", c.GARPMasterDelay)
	}
	if c.GARPMasterRepeat != nil && (*c.GARPMasterRepeat < 1 || *c.GARPMasterRepeat > 255) {
		add("garp_master_repeat", "garp_master_repeat must be 1-255, not %d", *c.GARPMasterRepeat)
	}
	if r := c.GARPMasterRefresh.D(); r != 0 && r < time.Second {
		add("garp_master_refresh", "garp_master_refresh must be at least 1s (or 0 to disable), not %s", c.GARPMasterRefresh)
	}
	for _, n := range []struct{ key, cmd string }{{"notify", c.Notify}, {"notify_master", c.NotifyMaster}, {"notify_backup", c.NotifyBackup}, {"notify_fault", c.NotifyFault}} {
		if n.cmd == "" {
			continue
		}
		if _, err := splitCommand(n.cmd); err != nil {
			add(n.key, "%v", err)
		}
	}
	switch c.Checksum {
	case "", "rfc5798":
	case "rfc9568":
		if version != 3 || v6 {
			add("checksum", "checksum applies to VRRPv3 over IPv4 only")
		}
	default:
		add("checksum", "checksum must be \"rfc5798\" (with the IPv4 pseudo-header, keepalived's) or \"rfc9568\" (without), not %q", c.Checksum)
	}
	for i := range c.Track {
		ps = append(ps, c.Track[i].validate(config.Index(config.Join(path, "track"), i))...)
	}
	return ps
}

func (c *InstanceConfig) validateInterval(path string, version int) []config.Problem {
	if !c.AdvertInterval.IsSet() {
		return nil
	}
	d := c.AdvertInterval.D()
	p := config.Join(path, "advert_interval")
	if version == 2 {
		if d%time.Second != 0 || d < time.Second || d > 255*time.Second {
			return []config.Problem{config.Problemf(p, "VRRPv2 advert_interval must be whole seconds, 1s-255s, not %s", c.AdvertInterval)}
		}
		return nil
	}
	if d%(10*time.Millisecond) != 0 || d < 10*time.Millisecond || d > 4095*10*time.Millisecond {
		return []config.Problem{config.Problemf(p, "VRRPv3 advert_interval must be a multiple of 10ms, 10ms-40.95s, not %s", c.AdvertInterval)}
	}
	return nil
}

func (c *InstanceConfig) validateAddresses(path string, v6 bool) []config.Problem {
	var ps []config.Problem
	vipPath := config.Join(path, "virtual_ipaddress")
	if len(c.VirtualIPAddress) == 0 {
		ps = append(ps, config.Problemf(vipPath, "virtual_ipaddress needs at least one address"))
	}
	limit := 255
	if v6 {
		limit = 77 // the advert must fit the IPv6 minimum MTU of 1280 bytes
	}
	if len(c.VirtualIPAddress) > limit {
		ps = append(ps, config.Problemf(vipPath, "at most %d addresses fit in one advertisement, not %d", limit, len(c.VirtualIPAddress)))
	}
	seen := map[netip.Addr]bool{}
	family := func(a netip.Addr) string {
		if a.Is6() {
			return "IPv6"
		}
		return "IPv4"
	}
	want := "IPv4"
	if v6 {
		want = "IPv6"
	}
	for i, s := range c.VirtualIPAddress {
		p := config.Index(vipPath, i)
		pre, err := parseVIP(s)
		switch {
		case err != nil:
			ps = append(ps, config.Problemf(p, "invalid address %q (want ADDRESS/PREFIXLEN)", s))
			continue
		case pre.Addr().Is4In6() || pre.Addr().Zone() != "":
			ps = append(ps, config.Problemf(p, "invalid address %q", s))
			continue
		case family(pre.Addr()) != want:
			ps = append(ps, config.Problemf(p, "%s is %s but the instance's first address is %s: one family per instance", s, family(pre.Addr()), want))
		case seen[pre.Addr()]:
			ps = append(ps, config.Problemf(p, "duplicate address %s", pre.Addr()))
		case !pre.Addr().IsGlobalUnicast() && !pre.Addr().IsLinkLocalUnicast():
			ps = append(ps, config.Problemf(p, "%s is not a unicast address", pre.Addr()))
		}
		seen[pre.Addr()] = true
	}
	var src netip.Addr
	if c.UnicastSrcIP != "" {
		a, err := netip.ParseAddr(c.UnicastSrcIP)
		switch {
		case err != nil || a.Zone() != "":
			ps = append(ps, config.Problemf(config.Join(path, "unicast_src_ip"), "invalid address %q", c.UnicastSrcIP))
		case family(a) != want:
			ps = append(ps, config.Problemf(config.Join(path, "unicast_src_ip"), "unicast_src_ip %s is not %s like the instance's addresses", a, want))
		case seen[a]:
			ps = append(ps, config.Problemf(config.Join(path, "unicast_src_ip"), "unicast_src_ip %s is also a virtual address", a))
		default:
			src = a
		}
	}
	peers := map[netip.Addr]bool{}
	for i, s := range c.UnicastPeer {
		p := config.Index(config.Join(path, "unicast_peer"), i)
		a, err := netip.ParseAddr(s)
		switch {
		case err != nil || a.Zone() != "":
			ps = append(ps, config.Problemf(p, "invalid address %q", s))
		case family(a) != want:
			ps = append(ps, config.Problemf(p, "unicast_peer %s is not %s like the instance's addresses", a, want))
		case a == src:
			ps = append(ps, config.Problemf(p, "unicast_peer %s is this node's unicast_src_ip", a))
		case peers[a]:
			ps = append(ps, config.Problemf(p, "duplicate unicast_peer %s", a))
		case a.IsMulticast() || a.IsUnspecified():
			ps = append(ps, config.Problemf(p, "unicast_peer %s is not a unicast address", a))
		}
		peers[a] = true
	}
	return ps
}

func (t *TrackConfig) validate(path string) []config.Problem {
	var ps []config.Problem
	add := func(key, format string, args ...any) {
		ps = append(ps, config.Problemf(config.Join(path, key), format, args...))
	}
	n := 0
	for _, s := range []string{t.Frontend, t.Backend, t.Interface, t.Script} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		ps = append(ps, config.Problemf(path, "a track needs exactly one of frontend, backend, interface, script (has %d)", n))
	}
	if t.Weight < -254 || t.Weight > 254 {
		add("weight", "weight must be -254..254, not %d", t.Weight)
	}
	if t.MinUp != nil {
		if t.Backend == "" {
			add("min_up", "min_up applies to backend tracks only")
		} else if *t.MinUp < 1 {
			add("min_up", "min_up must be at least 1, not %d", *t.MinUp)
		}
	}
	if t.Interface != "" && (len(t.Interface) > 15 || strings.ContainsAny(t.Interface, "/ :")) {
		add("interface", "invalid interface name %q", t.Interface)
	}
	scriptOnly := []struct {
		key string
		set bool
	}{{"interval", t.Interval.IsSet()}, {"timeout", t.Timeout.IsSet()}, {"rise", t.Rise != 0}, {"fall", t.Fall != 0}}
	for _, k := range scriptOnly {
		if k.set && t.Script == "" {
			add(k.key, "%s applies to script tracks only", k.key)
		}
	}
	if t.Script != "" {
		if _, err := splitCommand(t.Script); err != nil {
			add("script", "%v", err)
		}
		if t.Rise < 0 {
			add("rise", "rise must be at least 1, not %d", t.Rise)
		}
		if t.Fall < 0 {
			add("fall", "fall must be at least 1, not %d", t.Fall)
		}
		if t.Timeout.IsSet() && t.Interval.IsSet() && t.Timeout.D() > t.Interval.D() {
			add("timeout", "timeout %s is longer than interval %s", t.Timeout, t.Interval)
		}
	}
	return ps
}

// splitCommand splits a notify or script command line the way keepalived
// does: words separated by blanks, with single or double quotes grouping.
func splitCommand(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			} else {
				cur.WriteByte(ch)
			}
		case ch == '\'' || ch == '"':
			quote, inWord = ch, true
		case ch == ' ' || ch == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote in %q", quote, s)
	}
	if inWord {
		out = append(out, cur.String())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty command")
	}
	return out, nil
}
