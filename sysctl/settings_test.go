package sysctl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecommended(t *testing.T) {
	want := []string{
		"net.ipv4.tcp_tw_reuse = 1",
		"net.ipv4.ip_local_port_range = 1024 65023",
		"net.ipv4.tcp_max_syn_backlog = 10240",
		"net.ipv4.tcp_max_tw_buckets = 400000",
		"net.ipv4.tcp_max_orphans = 60000",
		"net.ipv4.tcp_synack_retries = 3",
		"net.core.somaxconn = 10000",
		"net.ipv4.ip_nonlocal_bind = 1",
	}
	var got []string
	for _, s := range Recommended() {
		got = append(got, s.Key+" = "+s.Value)
		if err := CheckKey(s.Key); err != nil {
			t.Error(err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Recommended (-want +got):\n%s", diff)
	}
}

func TestPlan(t *testing.T) {
	rec := func(k, v string) Setting { return Setting{k, v, SourceRecommended} }
	set := func(k, v string) Setting { return Setting{k, v, SourceSet} }
	tests := []struct {
		name string
		set  map[string]string
		want []Setting
	}{
		{"recommended only", nil, Recommended()},
		{"override in place, additions sorted after", map[string]string{
			"net.core.somaxconn":           "20000",
			"net/ipv4/ip_local_port_range": "2000\t  64000 ",
			"vm.swappiness":                "10",
			"net.core.rmem_max":            "16777216",
		}, []Setting{
			rec("net.ipv4.tcp_tw_reuse", "1"),
			set("net.ipv4.ip_local_port_range", "2000 64000"),
			rec("net.ipv4.tcp_max_syn_backlog", "10240"),
			rec("net.ipv4.tcp_max_tw_buckets", "400000"),
			rec("net.ipv4.tcp_max_orphans", "60000"),
			rec("net.ipv4.tcp_synack_retries", "3"),
			set("net.core.somaxconn", "20000"),
			rec("net.ipv4.ip_nonlocal_bind", "1"),
			set("net.core.rmem_max", "16777216"),
			set("vm.swappiness", "10"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Plan(Config{Set: tt.set})); diff != "" {
				t.Errorf("Plan (-want +got):\n%s", diff)
			}
		})
	}
}
