package vrrp

import (
	"net/netip"
	"strings"
	"time"

	"haappliance/config"
)

// Config is the [vrrp] section: any number of [[vrrp.instance]] tables.
// An empty Config is valid and runs nothing.
type Config struct {
	Instances []InstanceConfig `toml:"instance"`
}

// InstanceConfig is one [[vrrp.instance]], with keepalived's keys and
// meanings. Pointer fields distinguish "not set" (default applies) from an
// explicit zero; read values through the methods, which apply defaults.
type InstanceConfig struct {
	Name              string           `toml:"name"`
	Interface         string           `toml:"interface"`
	State             string           `toml:"state"` // "MASTER" or "BACKUP" (default): initial hint
	VirtualRouterID   int              `toml:"virtual_router_id"`
	Priority          *int             `toml:"priority"` // 1..255, default 100
	AdvertInterval    config.Duration  `toml:"advert_interval"`
	Version           int              `toml:"version"` // 2 or 3; default 2 for IPv4, 3 for IPv6 (as keepalived)
	Preempt           *bool            `toml:"preempt"`
	PreemptDelay      config.Duration  `toml:"preempt_delay"`
	AcceptMode        *bool            `toml:"accept_mode"`
	VirtualIPAddress  []string         `toml:"virtual_ipaddress"`
	UnicastSrcIP      string           `toml:"unicast_src_ip"`
	UnicastPeer       []string         `toml:"unicast_peer"`
	AuthPass          string           `toml:"auth_pass"`
	GARPMasterDelay   *config.Duration `toml:"garp_master_delay"`
	GARPMasterRepeat  *int             `toml:"garp_master_repeat"`
	GARPMasterRefresh config.Duration  `toml:"garp_master_refresh"`
	Notify            string           `toml:"notify"`
	NotifyMaster      string           `toml:"notify_master"`
	NotifyBackup      string           `toml:"notify_backup"`
	NotifyFault       string           `toml:"notify_fault"`
	Track             []TrackConfig    `toml:"track"`

	// Checksum is haappliance's addition: the checksum dialect sent for
	// VRRPv3 over IPv4. "rfc5798" (default, keepalived's, FRR's, tcpdump's)
	// includes the IPv4 pseudo-header; "rfc9568" leaves it out. Both are
	// accepted on receipt whatever this says.
	Checksum string `toml:"checksum"`
}

// TrackConfig is one entry of an instance's track list. Exactly one of
// Frontend, Backend, Interface and Script is set. The evaluation of
// frontend, backend and script tracks is done outside this package (see
// [TrackUpdate]); interface tracks are followed here through netlink.
type TrackConfig struct {
	Frontend  string          `toml:"frontend"`
	Backend   string          `toml:"backend"`
	MinUp     *int            `toml:"min_up"`
	Interface string          `toml:"interface"`
	Script    string          `toml:"script"`
	Interval  config.Duration `toml:"interval"`
	Timeout   config.Duration `toml:"timeout"`
	Rise      int             `toml:"rise"`
	Fall      int             `toml:"fall"`
	Weight    int             `toml:"weight"`
}

// Defaults, as keepalived 2.2.7.
const (
	DefaultPriority         = 100
	DefaultAdvertInterval   = time.Second
	DefaultGARPMasterDelay  = 5 * time.Second
	DefaultGARPMasterRepeat = 5
	DefaultScriptInterval   = time.Second
)

// PriorityOwner is the priority of the router that owns the virtual
// addresses as real ones; PriorityStop is sent by a master that stops.
const (
	PriorityOwner = 255
	PriorityStop  = 0
)

// BasePriority is the configured priority, 100 when not set.
func (c *InstanceConfig) BasePriority() int {
	if c.Priority == nil {
		return DefaultPriority
	}
	return *c.Priority
}

// Interval is the advertisement interval, 1 s when not set.
func (c *InstanceConfig) Interval() time.Duration { return c.AdvertInterval.Or(DefaultAdvertInterval) }

// IsIPv6 reports whether the instance's addresses are IPv6 (decided by the
// first VIP, as keepalived does).
func (c *InstanceConfig) IsIPv6() bool {
	if len(c.VirtualIPAddress) == 0 {
		return false
	}
	p, err := parseVIP(c.VirtualIPAddress[0])
	return err == nil && p.Addr().Is6()
}

// ProtocolVersion is the VRRP version: as configured, else 3 for an IPv6
// instance and 2 for an IPv4 one (keepalived's default).
func (c *InstanceConfig) ProtocolVersion() int {
	if c.Version != 0 {
		return c.Version
	}
	if c.IsIPv6() {
		return 3
	}
	return 2
}

// PreemptMode is preempt, true when not set.
func (c *InstanceConfig) PreemptMode() bool { return c.Preempt == nil || *c.Preempt }

// Accept is accept_mode, true when not set: keepalived outside vrrp_strict
// answers on its VIPs, and the proxy in this process must accept traffic
// on them.
func (c *InstanceConfig) Accept() bool { return c.AcceptMode == nil || *c.AcceptMode }

// InitialMaster reports whether state = "MASTER" was given.
func (c *InstanceConfig) InitialMaster() bool { return strings.EqualFold(c.State, "MASTER") }

// GARPDelay is garp_master_delay (5 s when not set; 0 disables the second
// burst).
func (c *InstanceConfig) GARPDelay() time.Duration {
	if c.GARPMasterDelay == nil {
		return DefaultGARPMasterDelay
	}
	return c.GARPMasterDelay.D()
}

// GARPRepeat is garp_master_repeat, 5 when not set.
func (c *InstanceConfig) GARPRepeat() int {
	if c.GARPMasterRepeat == nil {
		return DefaultGARPMasterRepeat
	}
	return *c.GARPMasterRepeat
}

// SendDialect is the checksum dialect sent for VRRPv3 over IPv4.
func (c *InstanceConfig) SendDialect() Dialect {
	if c.Checksum == "rfc9568" {
		return DialectNoPseudo
	}
	return DialectPseudo
}

// VIPs parses virtual_ipaddress; a bare address is a host prefix, as in
// keepalived. Call after Validate.
func (c *InstanceConfig) VIPs() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(c.VirtualIPAddress))
	for _, s := range c.VirtualIPAddress {
		if p, err := parseVIP(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// Peers parses unicast_peer. Call after Validate.
func (c *InstanceConfig) Peers() []netip.Addr {
	out := make([]netip.Addr, 0, len(c.UnicastPeer))
	for _, s := range c.UnicastPeer {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// SrcIP parses unicast_src_ip; the zero Addr when not set.
func (c *InstanceConfig) SrcIP() netip.Addr {
	a, _ := netip.ParseAddr(c.UnicastSrcIP)
	return a
}

// Kind names the track's kind: "frontend", "backend", "interface" or
// "script".
func (t *TrackConfig) Kind() string {
	switch {
	case t.Frontend != "":
		return "frontend"
	case t.Backend != "":
		return "backend"
	case t.Interface != "":
		return "interface"
	case t.Script != "":
		return "script"
	}
	return ""
}

// Target is the tracked object's name or path.
func (t *TrackConfig) Target() string {
	return t.Frontend + t.Backend + t.Interface + t.Script
}

// MinUpServers is min_up for a backend track, 1 when not set.
func (t *TrackConfig) MinUpServers() int {
	if t.MinUp == nil {
		return 1
	}
	return *t.MinUp
}

// ScriptInterval is a script track's interval, 1 s when not set.
func (t *TrackConfig) ScriptInterval() time.Duration { return t.Interval.Or(DefaultScriptInterval) }

// ScriptTimeout is a script track's timeout, its interval when not set.
func (t *TrackConfig) ScriptTimeout() time.Duration { return t.Timeout.Or(t.ScriptInterval()) }

// RiseCount is rise, 1 when not set.
func (t *TrackConfig) RiseCount() int { return max(t.Rise, 1) }

// FallCount is fall, 1 when not set.
func (t *TrackConfig) FallCount() int { return max(t.Fall, 1) }

func parseVIP(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
