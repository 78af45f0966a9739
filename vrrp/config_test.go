package vrrp

import (
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"haappliance/config"
)

func decode(t *testing.T, src string) Config {
	t.Helper()
	var c Config
	md, err := toml.Decode(src, &c)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("unknown keys %v", u)
	}
	return c
}

func TestConfigSeedAndDefaults(t *testing.T) {
	c := decode(t, `
[[instance]]
name = "VI_1"
interface = "eth0"
state = "MASTER"
virtual_router_id = 51
priority = 101
advert_interval = "1s"
version = 3
preempt = true
virtual_ipaddress = ["198.18.0.100/24"]
track = [ { frontend = "http-in", weight = 2 } ]

[[instance]]
name = "VI_6"
interface = "eth0"
virtual_router_id = 52
virtual_ipaddress = ["2001:2::100/64"]
unicast_peer = ["2001:2::2"]
garp_master_delay = 0
checksum = "rfc5798"
`)
	if ps := c.Validate(); len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	a, b := &c.Instances[0], &c.Instances[1]
	type view struct {
		Prio, Version, Repeat  int
		Interval, GARPDelay    time.Duration
		Preempt, Accept, Init6 bool
		InitialMaster          bool
	}
	got := []view{
		{a.BasePriority(), a.ProtocolVersion(), a.GARPRepeat(), a.Interval(), a.GARPDelay(), a.PreemptMode(), a.Accept(), a.IsIPv6(), a.InitialMaster()},
		{b.BasePriority(), b.ProtocolVersion(), b.GARPRepeat(), b.Interval(), b.GARPDelay(), b.PreemptMode(), b.Accept(), b.IsIPv6(), b.InitialMaster()},
	}
	want := []view{
		{101, 3, 5, time.Second, 5 * time.Second, true, true, false, true},
		{100, 3, 5, time.Second, 0, true, true, true, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []config.Problem
	}{
		{"required", `[[instance]]`, []config.Problem{
			prob("instance[0].name", "name is required"),
			prob("instance[0].interface", "interface is required"),
			prob("instance[0].virtual_router_id", "virtual_router_id must be 1-255, not 0"),
			prob("instance[0].virtual_ipaddress", "virtual_ipaddress needs at least one address"),
		}},
		{"ranges", `[[instance]]
name = "a"
interface = "eth0"
state = "master2"
virtual_router_id = 256
priority = 0
version = 4
virtual_ipaddress = ["198.18.0.100/24"]
garp_master_repeat = 0
preempt_delay = "2000s"
`, []config.Problem{
			prob("instance[0].state", `state must be MASTER or BACKUP, not "master2"`),
			prob("instance[0].virtual_router_id", "virtual_router_id must be 1-255, not 256"),
			prob("instance[0].priority", "priority must be 1-255 (255 = address owner), not 0"),
			prob("instance[0].version", "version must be 2 or 3, not 4"),
			prob("instance[0].preempt_delay", "preempt_delay must be at most 1000s, not 33m20s"),
			prob("instance[0].garp_master_repeat", "garp_master_repeat must be 1-255, not 0"),
		}},
		{"intervals and versions", `[[instance]]
name = "a"
interface = "eth0"
virtual_router_id = 1
version = 2
advert_interval = "1500ms"
auth_pass = "toolongpassword"
checksum = "rfc9568"
virtual_ipaddress = ["2001:2::100/64"]
[[instance]]
name = "b"
interface = "eth0"
virtual_router_id = 2
advert_interval = "105ms"
version = 3
auth_pass = "x"
virtual_ipaddress = ["198.18.0.100/24"]
`, []config.Problem{
			prob("instance[0].version", "VRRPv2 carries IPv4 only: use version = 3 for IPv6 addresses"),
			prob("instance[0].advert_interval", "VRRPv2 advert_interval must be whole seconds, 1s-255s, not 1.5s"),
			prob("instance[0].auth_pass", "auth_pass is at most 8 characters, not 15"),
			prob("instance[0].checksum", "checksum applies to VRRPv3 over IPv4 only"),
			prob("instance[1].advert_interval", "VRRPv3 advert_interval must be a multiple of 10ms, 10ms-40.95s, not 105ms"),
			prob("instance[1].auth_pass", "auth_pass is VRRPv2 only (RFC 5798 removed authentication)"),
		}},
		{"addresses", `[[instance]]
name = "a"
interface = "eth0"
virtual_router_id = 1
virtual_ipaddress = ["198.18.0.100/24", "2001:2::1/64", "bogus", "198.18.0.100/32", "224.0.0.5"]
unicast_src_ip = "198.18.0.100"
unicast_peer = ["198.18.0.2", "198.18.0.2", "nope", "2001:2::2"]
accept_mode = false
`, []config.Problem{
			prob("instance[0].accept_mode", "accept_mode = false would need a packet filter on the VIPs, which haappliance does not install (the proxy serves on the VIPs); remove the key"),
			prob("instance[0].virtual_ipaddress[1]", "2001:2::1/64 is IPv6 but the instance's first address is IPv4: one family per instance"),
			prob("instance[0].virtual_ipaddress[2]", `invalid address "bogus" (want ADDRESS/PREFIXLEN)`),
			prob("instance[0].virtual_ipaddress[3]", "duplicate address 198.18.0.100"),
			prob("instance[0].virtual_ipaddress[4]", "224.0.0.5 is not a unicast address"),
			prob("instance[0].unicast_src_ip", "unicast_src_ip 198.18.0.100 is also a virtual address"),
			prob("instance[0].unicast_peer[1]", "duplicate unicast_peer 198.18.0.2"),
			prob("instance[0].unicast_peer[2]", `invalid address "nope"`),
			prob("instance[0].unicast_peer[3]", "unicast_peer 2001:2::2 is not IPv4 like the instance's addresses"),
		}},
		{"tracks and duplicates", `[[instance]]
name = "a"
interface = "eth0"
virtual_router_id = 1
virtual_ipaddress = ["198.18.0.100"]
notify = "/bin/x 'unterminated"
track = [
  { frontend = "http-in", backend = "ms1", weight = 300 },
  { weight = 2 },
  { frontend = "x", min_up = 2, rise = 3 },
  { script = "/bin/true", interval = "1s", timeout = "2s" },
  { backend = "ms1", min_up = 0 },
]
[[instance]]
name = "a"
interface = "eth0"
virtual_router_id = 1
virtual_ipaddress = ["198.18.0.101"]
`, []config.Problem{
			prob("instance[0].notify", `unterminated ' quote in "/bin/x 'unterminated"`),
			prob("instance[0].track[0]", "a track needs exactly one of frontend, backend, interface, script (has 2)"),
			prob("instance[0].track[0].weight", "weight must be -254..254, not 300"),
			prob("instance[0].track[1]", "a track needs exactly one of frontend, backend, interface, script (has 0)"),
			prob("instance[0].track[2].min_up", "min_up applies to backend tracks only"),
			prob("instance[0].track[2].rise", "rise applies to script tracks only"),
			prob("instance[0].track[3].timeout", "timeout 2s is longer than interval 1s"),
			prob("instance[0].track[4].min_up", "min_up must be at least 1, not 0"),
			prob("instance[1].name", `duplicate instance name "a" (also instance[0])`),
			prob("instance[1].virtual_router_id", "virtual_router_id 1 is already used on interface eth0 by instance[0]"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := decode(t, tc.src)
			if diff := cmp.Diff(tc.want, c.Validate()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{"/bin/x a b", `/bin/x "a b" 'c'`, "'", `""`, "  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		argv, err := splitCommand(s)
		if err == nil && len(argv) == 0 {
			t.Fatalf("no words and no error for %q", s)
		}
	})
}

func prob(path, msg string) config.Problem { return config.Problem{Path: path, Msg: msg} }
