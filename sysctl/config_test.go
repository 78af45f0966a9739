package sysctl

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"haappliance/config"
)

func TestValidate(t *testing.T) {
	no := false
	tests := []struct {
		name string
		cfg  Config
		want []config.Problem
	}{
		{"empty", Config{}, nil},
		{"apply off", Config{Apply: &no}, nil},
		{"good overrides", Config{Set: map[string]string{
			"net.core.somaxconn":                "20000",
			"net.ipv4.ip_local_port_range":      "1024\t65000",
			"net/ipv4/conf/eth0.100/rp_filter":  "0",
			"net.ipv4.conf.eth0/100.arp_ignore": "1",
			"vm.swappiness":                     "10",
		}}, nil},
		{"bad keys and values", Config{Set: map[string]string{
			"somaxconn":          "1",
			"net..core":          "1",
			"net.core.somaxconn": "  ",
			"net.core.x y":       "1",
			"net.core.a=b":       "1",
			"net.ipv4./.x":       "1",
			"net.core.rmem_max":  "1\n2",
			"":                   "1",
		}}, []config.Problem{
			{Path: "set", Msg: "empty sysctl key"},
			{Path: "set.net..core", Msg: `sysctl key "net..core" has an empty or relative component`},
			{Path: "set.net.core.a=b", Msg: `sysctl key "net.core.a=b" has the character '=' (want letters, digits, '_', '-' between dots)`},
			{Path: "set.net.core.rmem_max", Msg: `value "1\n2" has a control character`},
			{Path: "set.net.core.somaxconn", Msg: "empty value"},
			{Path: "set.net.core.x y", Msg: `sysctl key "net.core.x y" has the character ' ' (want letters, digits, '_', '-' between dots)`},
			{Path: "set.net.ipv4./.x", Msg: `sysctl key "net.ipv4./.x" has an empty or relative component`},
			{Path: "set.somaxconn", Msg: `sysctl key "somaxconn" has no dots (want a name like net.core.somaxconn)`},
		}},
		{"two spellings of one key", Config{Set: map[string]string{
			"net.core.somaxconn": "1",
			"net/core/somaxconn": "2",
		}}, []config.Problem{
			{Path: "set.net/core/somaxconn", Msg: `same key as "net.core.somaxconn"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.cfg.Validate()); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApplyEnabled(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		apply *bool
		want  bool
	}{{nil, true}, {&yes, true}, {&no, false}} {
		if got := (Config{Apply: tt.apply}).ApplyEnabled(); got != tt.want {
			t.Errorf("ApplyEnabled(%v) = %v, want %v", tt.apply, got, tt.want)
		}
	}
}
