package convert

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const kaHaproxy = "frontend web\n    mode http\n    bind :80\n"

func TestKeepalivedInstances(t *testing.T) {
	tests := []struct {
		name   string
		conf   string
		want   string // the [[vrrp.instance]] block
		report []string
	}{
		{
			name: "minimal",
			conf: "vrrp_instance V {\n interface eth0\n virtual_router_id 7\n virtual_ipaddress {\n  198.18.0.100/24\n }\n}\n",
			want: "[[vrrp.instance]]\nname = \"V\"\ninterface = \"eth0\"\nvirtual_router_id = 7\nversion = 2\nvirtual_ipaddress = [\"198.18.0.100/24\"]\n",
			report: []string{
				"k:1: vrrp_instance: mapped: [[vrrp.instance]] name = \"V\"",
				"k:1: vrrp_instance: mapped: version = 2: keepalived's default, kept so a keepalived peer still understands this node",
				"k:2: interface: mapped: interface",
				"k:3: virtual_router_id: mapped: virtual_router_id",
				"k:4: virtual_ipaddress: mapped: virtual_ipaddress",
				"k:5: 198.18.0.100/24: mapped: virtual_ipaddress 198.18.0.100/24",
			},
		},
		{
			name: "braces on one line, comments, fractional advert, v3",
			conf: "vrrp_instance V { # c\n interface eth0 ! c\n virtual_router_id 7\n version 3\n advert_int 0.25\n preempt_delay 1.5\n virtual_ipaddress { 198.18.0.1 }\n}\n",
			want: "[[vrrp.instance]]\nname = \"V\"\ninterface = \"eth0\"\nvirtual_router_id = 7\nadvert_interval = \"250ms\"\nversion = 3\npreempt_delay = \"1500ms\"\nvirtual_ipaddress = [\"198.18.0.1/32\"]\n",
			report: []string{
				"k:1: vrrp_instance: mapped: [[vrrp.instance]] name = \"V\"",
				"k:2: interface: mapped: interface",
				"k:3: virtual_router_id: mapped: virtual_router_id",
				"k:4: version: mapped: version",
				"k:5: advert_int: mapped: advert_interval = \"250ms\"",
				"k:6: preempt_delay: mapped: preempt_delay = \"1500ms\"",
				"k:7: virtual_ipaddress: mapped: virtual_ipaddress",
				"k:7: 198.18.0.1: mapped: virtual_ipaddress 198.18.0.1/32: no prefix length given, so the host prefix, as keepalived adds it",
			},
		},
		{
			name: "haproxy check scripts become frontend tracks",
			conf: "vrrp_script a {\n script \"systemctl is-active --quiet haproxy.service\"\n weight 3\n}\n" +
				"vrrp_script b {\n script \"/bin/check x\"\n interval 2\n rise 2\n fall 3\n}\n" +
				"vrrp_instance V {\n interface eth0\n virtual_router_id 7\n virtual_ipaddress {\n  198.18.0.1/24\n }\n track_script {\n  a\n  b weight -5\n }\n}\n",
			want: "[[vrrp.instance]]\nname = \"V\"\ninterface = \"eth0\"\nvirtual_router_id = 7\nversion = 2\nvirtual_ipaddress = [\"198.18.0.1/24\"]\ntrack = [\n" +
				"  { frontend = \"web\", weight = 3 },\n" +
				"  { script = \"/bin/check x\", interval = \"2s\", rise = 2, fall = 3, weight = -5 },\n]\n",
			report: []string{
				"k:1: vrrp_script: mapped: becomes a track of each instance that names it in track_script",
				"k:2: script: approximated: 'systemctl is-active --quiet haproxy.service' only checks that haproxy runs: haappliance is the proxy, so the track probes its own frontend instead (SPEC §4.1)",
				"k:3: weight: mapped: track weight",
				"k:5: vrrp_script: mapped: becomes a track of each instance that names it in track_script",
				"k:6: script: mapped: track script",
				"k:7: interval: mapped: track interval",
				"k:8: rise: mapped: track rise",
				"k:9: fall: mapped: track fall",
				"k:11: vrrp_instance: mapped: [[vrrp.instance]] name = \"V\"",
				"k:11: vrrp_instance: mapped: version = 2: keepalived's default, kept so a keepalived peer still understands this node",
				"k:12: interface: mapped: interface",
				"k:13: virtual_router_id: mapped: virtual_router_id",
				"k:14: virtual_ipaddress: mapped: virtual_ipaddress",
				"k:15: 198.18.0.1/24: mapped: virtual_ipaddress 198.18.0.1/24",
				"k:17: track_script: mapped: track",
				"k:18: a: approximated: track { frontend = \"web\", weight = 3 }: vrrp_script 'a' only checks that haproxy runs, and haappliance is that proxy: it probes its own frontend 'web' (the first HTTP frontend of h, line 1)",
				"k:19: b: mapped: track { script = \"/bin/check x\", weight = -5 }",
			},
		},
		{
			name: "authentication v2 and unknown keywords",
			conf: "vrrp_instance V {\n interface eth0\n virtual_router_id 7\n virtual_ipaddress {\n  198.18.0.1/24\n }\n authentication {\n  auth_type PASS\n  auth_pass abc\n }\n frobnicate {\n  x\n }\n}\n",
			want: "[[vrrp.instance]]\nname = \"V\"\ninterface = \"eth0\"\nvirtual_router_id = 7\nversion = 2\nvirtual_ipaddress = [\"198.18.0.1/24\"]\nauth_pass = \"abc\"\n",
			report: []string{
				"k:1: vrrp_instance: mapped: [[vrrp.instance]] name = \"V\"",
				"k:1: vrrp_instance: mapped: version = 2: keepalived's default, kept so a keepalived peer still understands this node",
				"k:2: interface: mapped: interface",
				"k:3: virtual_router_id: mapped: virtual_router_id",
				"k:4: virtual_ipaddress: mapped: virtual_ipaddress",
				"k:5: 198.18.0.1/24: mapped: virtual_ipaddress 198.18.0.1/24",
				"k:7: authentication: mapped: auth_pass",
				"k:8: auth_type: mapped: PASS: auth_pass is the VRRPv2 simple password",
				"k:9: auth_pass: mapped: auth_pass",
				"k:11: frobnicate: ignored: unknown vrrp_instance keyword, not carried over",
				"k:12: x: ignored: inside 'frobnicate' (line 11), which is not converted",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, report, err := Convert("h", []byte(kaHaproxy), "k", []byte(tt.conf))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, block(string(out), "[[vrrp.instance]]")); d != "" {
				t.Errorf("TOML (-want +got):\n%s", d)
			}
			var got []string
			for _, l := range report {
				if l.File == "k" {
					got = append(got, l.String())
				}
			}
			if d := cmp.Diff(tt.report, got); d != "" {
				t.Errorf("report (-want +got):\n%s", d)
			}
			_, ps := decode(t, out)
			if len(ps) > 0 {
				t.Errorf("problems: %v", ps)
			}
		})
	}
}

func TestIsHaproxyCheck(t *testing.T) {
	tests := []struct {
		cmd  string
		want bool
	}{
		{"killall -0 haproxy", true},
		{"/usr/bin/killall -0 haproxy", true},
		{"pidof haproxy", true},
		{"pidof -s haproxy", true},
		{"pgrep -x haproxy", true},
		{"systemctl is-active haproxy", true},
		{"systemctl is-active --quiet haproxy.service", true},
		{"killall haproxy", false},
		{"killall -9 haproxy", false},
		{"systemctl restart haproxy", false},
		{"pidof nginx", false},
		{"curl -f http://127.0.0.1/ haproxy", false},
		{"haproxy", false},
	}
	for _, tt := range tests {
		if got := isHaproxyCheck(tt.cmd); got != tt.want {
			t.Errorf("isHaproxyCheck(%q) = %v, want %v", tt.cmd, got, tt.want)
		}
	}
}

func TestKaLex(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a b{c}d", []string{"a", "b", "{", "c", "}", "d"}},
		{`script "killall -0 haproxy" # x`, []string{"script", "killall -0 haproxy"}},
		{"x !c", []string{"x"}},
		{`a"b c"d`, []string{"ab cd"}},
		{"a#b", []string{"a#b"}},
	}
	for _, tt := range tests {
		w, _, err := kaLex(tt.in)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		var got []string
		for _, x := range w {
			got = append(got, x.text)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, d)
		}
	}
}

// TestKeepalivedCrashers keeps the inputs fuzzing found that once panicked.
func TestKeepalivedCrashers(t *testing.T) {
	for _, src := range []string{
		"global_defs {{}0}0", // an anonymous block inside global_defs
		"{\n}\nvrrp_script {\n}\nvrrp_instance {\n}\n",
	} {
		out, report, err := Convert("h", []byte(kaHaproxy), "k", []byte(src))
		if err != nil {
			continue
		}
		checkOutput(t, out, report, map[string]int{"h": 4, "k": 1 + len(src)})
	}
}
