package convert

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// block returns the lines of out from the line header to the next blank
// line.
func block(out, header string) string {
	i := strings.Index(out, header+"\n")
	if i < 0 {
		return ""
	}
	rest := out[i:]
	if j := strings.Index(rest, "\n\n"); j >= 0 {
		rest = rest[:j+1]
	}
	return rest
}

// reportOf returns the report lines, without the section header lines.
func reportOf(r []ReportLine) []string {
	var out []string
	for _, l := range r {
		if l.Line == 1 || isHeader(l) {
			continue
		}
		out = append(out, l.String())
	}
	return out
}

func isHeader(l ReportLine) bool {
	switch l.Keyword {
	case "global", "defaults", "frontend", "backend", "listen", "userlist":
		return l.Action == Mapped && strings.HasPrefix(l.Note, "[")
	}
	return false
}

func TestHaproxyKeywords(t *testing.T) {
	tests := []struct {
		name   string
		cfg    string // converted under a first line "frontend f" unless it starts a section
		header string
		want   string
		report []string
	}{
		{
			name:   "unknown keyword in a backend",
			cfg:    "backend b\n    server s 10.0.0.1:80\n    frobnicate 1\n",
			header: "[backend.b]",
			want:   "[backend.b]\nserver = [\n  { name = \"s\", address = \"10.0.0.1:80\" },\n]\n",
			report: []string{"h:2: server: mapped: backend.b.server", "h:3: frobnicate: ignored: unknown keyword, not carried over"},
		},
		{
			name:   "acl words re-quoted",
			cfg:    "frontend f\n    bind 127.0.0.1:8080\n    acl a hdr(x) -m str \"a b\" 'c\"d' e\\ f\n    acl r path_reg ^/x\\.json$\n",
			header: "[frontend.f]",
			want:   "[frontend.f]\nbind = [\"127.0.0.1:8080\"]\nacl = [\"a hdr(x) -m str 'a b' 'c\\\"d' 'e f'\", \"r path_reg ^/x\\\\.json$\"]\n",
			report: []string{"h:2: bind: mapped: frontend.f.bind", "h:3: acl: mapped: frontend.f.acl", "h:4: acl: mapped: frontend.f.acl"},
		},
		{
			name:   "bind forms",
			cfg:    "frontend f\n    bind :80,ipv6@:::81,[::1]:82\n    bind *:90-91 v4v6 name x\n",
			header: "[frontend.f]",
			want:   "[frontend.f]\nbind = [\"*:80\", \"[::]:81\", \"[::1]:82\", \"*:90\", \"*:91\"]\n",
			report: []string{
				"h:2: bind: mapped: frontend.f.bind",
				"h:3: bind v4v6: ignored: bind setting not supported",
				"h:3: bind name: ignored: bind setting not supported",
				"h:3: bind: approximated: frontend.f.bind; port range written as one address per port",
			},
		},
		{
			name:   "bind unix socket refused",
			cfg:    "frontend f\n    bind /run/x.sock\n    bind 1.2.3.4:80 accept-proxy\n",
			header: "[frontend.f]",
			want:   "[frontend.f]\nbind = [\"1.2.3.4:80\"]\naccept_proxy = true\n",
			report: []string{
				"h:2: bind: ignored: '/run/x.sock': only TCP addresses can be bound",
				"h:3: bind accept-proxy: mapped: frontend.f.accept_proxy",
				"h:3: bind: mapped: frontend.f.bind",
			},
		},
		{
			name:   "server keywords",
			cfg:    "backend b\n    server s1 10.0.0.1:80 check inter 2s rise 3 fall 2 weight 5 backup ssl verify none port 81\n    default-server maxconn 10 cookie x\n    server s2 10.0.0.2:+1\n",
			header: "[backend.b]",
			want: "[backend.b]\ndefault_server = { maxconn = 10 }\nserver = [\n" +
				"  { name = \"s1\", address = \"10.0.0.1:80\", check = true, inter = \"2s\", rise = 3, fall = 2, weight = 5, backup = true },\n" +
				"  { name = \"s2\", address = \"10.0.0.2:+1\" },\n]\n",
			report: []string{
				"h:2: server ssl: ignored: haappliance connects to servers in clear text: this server expects TLS",
				"h:2: server verify: ignored: haappliance connects to servers in clear text: this server expects TLS",
				"h:2: server port: ignored: checks go to the server's own address and port",
				"h:2: server: mapped: backend.b.server",
				"h:3: default-server cookie: ignored: a cookie value belongs on each server",
				"h:3: default-server: mapped: backend.b.default_server",
				"h:4: server: approximated: backend.b.server; port offset: haproxy adds it to the client's port, haappliance needs HOST:PORT; edit it before use",
			},
		},
		{
			name:   "cookie without mode",
			cfg:    "backend b\n    cookie S prefix nocache\n",
			header: "[backend.b]",
			want:   "[backend.b]\ncookie = { name = \"S\", mode = \"prefix\", nocache = true }\n",
			report: []string{"h:2: cookie: mapped: backend.b.cookie"},
		},
		{
			name:   "passive cookie",
			cfg:    "backend b\n    cookie JSESSIONID\n",
			header: "[backend.b]",
			want:   "[backend.b]\ncookie = { name = \"JSESSIONID\", mode = \"insert\" }\n",
			report: []string{"h:2: cookie: approximated: backend.b.cookie; no mode given: haproxy then only reads a cookie the server sets, haappliance inserts it"},
		},
		{
			name:   "http-check send and expect",
			cfg:    "backend b\n    option httpchk\n    http-check send meth GET uri /h ver HTTP/1.1 hdr Host example.org\n    http-check expect status 200\n",
			header: "[backend.b]",
			want:   "[backend.b]\nhttpchk = { method = \"GET\", uri = \"/h\", version = \"HTTP/1.1\", host = \"example.org\", expect_status = \"200\" }\n",
			report: []string{
				"h:2: option httpchk: mapped: backend.b.httpchk",
				"h:3: http-check send meth: mapped: backend.b.httpchk.method",
				"h:3: http-check send uri: mapped: backend.b.httpchk.uri",
				"h:3: http-check send ver: mapped: backend.b.httpchk.version",
				"h:3: http-check send hdr: mapped: backend.b.httpchk.host",
				"h:4: http-check expect: mapped: backend.b.httpchk.expect_status",
			},
		},
		{
			name:   "http-check without option httpchk",
			cfg:    "backend b\n    http-check expect string OK\n    http-check expect status 200\n",
			header: "[backend.b]",
			want:   "[backend.b]\n",
			report: []string{
				"h:2: http-check expect: ignored: only 'expect status CODE' (or a range like 200-399) is supported; servers pass with a 2xx or 3xx status",
				"h:3: http-check expect: mapped: backend.b.httpchk.expect_status",
				"h:3: http-check: ignored: no 'option httpchk' applies to backend b, so haproxy runs TCP-connect checks",
			},
		},
		{
			name:   "backend refines the defaults' check",
			cfg:    "defaults\n    option httpchk GET /a\nbackend b\n    http-check expect status 204\n",
			header: "[backend.b]",
			want:   "[backend.b]\nhttpchk = { method = \"GET\", uri = \"/a\", expect_status = \"204\" }\n",
			report: []string{"h:2: option httpchk: mapped: defaults.httpchk", "h:4: http-check expect: mapped: backend.b.httpchk.expect_status"},
		},
		{
			name:   "options by section kind",
			cfg:    "backend b\n    option httplog\n    option redispatch\n    option ssl-hello-chk\n    no option redispatch\n    option frob\n",
			header: "[backend.b]",
			want:   "[backend.b]\noption = [\"redispatch\", \"no redispatch\"]\n",
			report: []string{
				"h:2: option httplog: ignored: haproxy ignores this option in a backend section",
				"h:3: option redispatch: mapped: backend.b.option",
				"h:4: option ssl-hello-chk: ignored: only TCP-connect and HTTP health checks exist: the servers get a TCP connect check",
				"h:5: no option redispatch: mapped: backend.b.option",
				"h:6: option frob: ignored: unknown option, not carried over",
			},
		},
		{
			name:   "keywords in the wrong section",
			cfg:    "backend b\n    bind :80\n    use_backend x\n    stats enable\n",
			header: "[backend.b]",
			want:   "[backend.b]\n",
			report: []string{
				"h:2: bind: ignored: not allowed in a backend section (haproxy refuses or ignores it)",
				"h:3: use_backend: ignored: not allowed in a backend section (haproxy refuses or ignores it)",
				"h:4: stats enable: ignored: the stats page is served by a frontend or listen section in haappliance: move the stats lines there",
			},
		},
		{
			name:   "timeouts",
			cfg:    "listen l\n    bind :1\n    timeout client 5\n    timeout tunnel 1h\n    timeout tarpit 1s\n    timeout server 1.5s\n    clitimeout 7\n",
			header: "[listen.l]",
			want:   "[listen.l]\nbind = [\"*:1\"]\ntimeout = { client = \"7ms\", tunnel = \"1h\" }\n",
			report: []string{
				"h:2: bind: mapped: listen.l.bind",
				"h:3: timeout client: mapped: listen.l.timeout.client",
				"h:4: timeout tunnel: mapped: listen.l.timeout.tunnel",
				"h:5: timeout tarpit: ignored: tarpit is not supported",
				"h:6: timeout server: ignored: '1.5s' is not a time",
				"h:7: clitimeout: approximated: listen.l.timeout.client; removed in HAProxy 2.1, read as 'timeout client'",
			},
		},
		{
			name:   "http rules",
			cfg:    "frontend f\n    bind :1\n    http-request set-header X-A \"a b\"\n    http-request lua.x\n    http-response del-header Server\n    redirect prefix /new code 302\n    http-request deny if { path /x }\n",
			header: "[frontend.f]",
			want: "[frontend.f]\nbind = [\"*:1\"]\n" +
				"http_request = [\"set-header X-A 'a b'\", \"deny if { path /x }\", \"redirect prefix /new code 302\"]\n" +
				"http_response = [\"del-header Server\"]\n",
			report: []string{
				"h:2: bind: mapped: frontend.f.bind",
				"h:3: http-request set-header: mapped: frontend.f.http_request",
				"h:4: http-request lua.x: ignored: action not supported by haappliance",
				"h:5: http-response del-header: mapped: frontend.f.http_response",
				"h:6: redirect: approximated: frontend.f.http_request: written as an http-request redirect rule after the other http-request rules, where haproxy evaluates it",
				"h:7: http-request deny: mapped: frontend.f.http_request",
			},
		},
		{
			name:   "balance",
			cfg:    "backend b\n    balance hdr(host) use_domain_only\n    hash-type consistent djb2\n    balance uri whole len 12\n",
			header: "[backend.b]",
			want:   "[backend.b]\nbalance = \"uri whole len 12\"\nhash_type = \"consistent djb2\"\n",
			report: []string{
				"h:2: balance: mapped: backend.b.balance",
				"h:3: hash-type: mapped: backend.b.hash_type",
				"h:4: balance: mapped: backend.b.balance",
			},
		},
		{
			name:   "userlist groups and duplicate users",
			cfg:    "userlist u\n    group g users a\n    user a insecure-password x groups h\n    user a password y\n",
			header: "[userlist.u]",
			want:   "[userlist.u]\nuser = [\n  { name = \"a\", password = \"x\", groups = [\"h\", \"g\"] },\n]\n",
			report: []string{
				"h:2: group: mapped: written into the groups of its users in userlist.u",
				"h:3: user: mapped: userlist.u.user",
				"h:4: user: ignored: a second user named 'a' in userlist u (haproxy refuses this)",
			},
		},
		{
			name:   "duplicate section and lines outside sections",
			cfg:    "maxconn 5\nbackend b\nbackend b\n    server s 1.2.3.4:5\n",
			header: "[backend.b]",
			want:   "[backend.b]\n",
			report: []string{
				"h:1: maxconn: ignored: outside of any section (haproxy refuses this)",
				"h:3: backend: ignored: a second backend named 'b' (haproxy refuses this); its lines are skipped",
				"h:4: server: ignored: inside 'backend b', which is not converted",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, report, err := Convert("h", []byte(tt.cfg), "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, block(string(out), tt.header)); d != "" {
				t.Errorf("TOML (-want +got):\n%s\nwhole file:\n%s", d, out)
			}
			got := reportOf(report)
			want := tt.report
			if len(want) > 0 && strings.HasPrefix(want[0], "h:1:") {
				got = nil
				for _, l := range report {
					if !isHeader(l) {
						got = append(got, l.String())
					}
				}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("report (-want +got):\n%s", d)
			}
			decode(t, out)
		})
	}
}

func TestGlobalKeywords(t *testing.T) {
	tests := []struct {
		line   string
		want   string // the TOML the line gives, [global] and [[global.log]] blocks
		report string
	}{
		{"log 127.0.0.1 local0 info", "[[global.log]]\naddress = \"udp://127.0.0.1:514\"\nfacility = \"local0\"\nlevel = \"info\"\n", "h:2: log: mapped: [[global.log]] address \"udp://127.0.0.1:514\""},
		{"log /dev/log local1 warning", "[[global.log]]\naddress = \"/dev/log\"\nfacility = \"local1\"\nlevel = \"warning\"\n", "h:2: log: mapped: [[global.log]] address \"/dev/log\""},
		{"log stderr format raw local0", "[[global.log]]\naddress = \"stderr\"\nfacility = \"local0\"\n", "h:2: log: approximated: [[global.log]] address \"stderr\"; 'format raw' not carried over: haappliance chooses each target's line format"},
		{"log [::1]:1514 user", "[[global.log]]\naddress = \"udp://[::1]:1514\"\nfacility = \"user\"\n", "h:2: log: mapped: [[global.log]] address \"udp://[::1]:1514\""},
		{"log tcp@10.1.1.1:601 daemon", "[[global.log]]\naddress = \"tcp://10.1.1.1:601\"\nfacility = \"daemon\"\n", "h:2: log: mapped: [[global.log]] address \"tcp://10.1.1.1:601\""},
		{"log ring@buf local0", "", "h:2: log: ignored: log target 'ring@buf' is not supported"},
		{"log 127.0.0.1 nosuch", "", "h:2: log: ignored: no known syslog facility"},
		{"stats socket ipv4@127.0.0.1:9999 level admin", "", "h:2: stats socket: ignored: 'ipv4@127.0.0.1:9999': the control socket is a UNIX socket path"},
		{"stats socket /run/a.sock", "[global]\ncontrol_socket = \"/run/a.sock\"\n", "h:2: stats socket: mapped: global.control_socket (the runtime API of SPEC §9.4, mode 0600, owner root)"},
		{"hard-stop-after 1m", "[global]\nhard_stop_after = \"1m\"\n", "h:2: hard-stop-after: mapped: global.hard_stop_after"},
		{"maxconn lots", "", "h:2: maxconn: ignored: 'lots' is not a number"},
		{"daemon", "", "h:2: daemon: ignored: haappliance runs in the foreground under systemd"},
		{"tune.bufsize 32768", "", "h:2: tune.bufsize: ignored: tuning knobs are not carried over"},
		{"frobnicate", "", "h:2: frobnicate: ignored: unknown keyword, not carried over"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			out, report, err := Convert("h", []byte("global\n    "+tt.line+"\n"), "", nil)
			if err != nil {
				t.Fatal(err)
			}
			got := block(string(out), "[global]") + block(string(out), "[[global.log]]")
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("TOML (-want +got):\n%s", d)
			}
			if d := cmp.Diff([]string{tt.report}, reportOf(report)); d != "" {
				t.Errorf("report (-want +got):\n%s", d)
			}
			decode(t, out)
		})
	}
}
