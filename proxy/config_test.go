package proxy

import (
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"haappliance/config"
)

func TestResolveSeed(t *testing.T) {
	cfg := decodeConfig(t, seedText())
	m, err := cfg.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range m.Frontends {
		names = append(names, f.Name+"→"+f.DefaultBackend)
	}
	if diff := cmp.Diff([]string{"http-in→default_servers", "stats→stats"}, names); diff != "" {
		t.Errorf("frontends (-want +got):\n%s", diff)
	}
	ms1 := m.Backend("ms1")
	want := ServerModel{Name: "ms1.srv1", Address: "198.18.1.21:8080", Weight: 1, MaxConn: 300, Cookie: "ms1.srv1",
		Check: true, Inter: 2 * time.Second, FastInter: 2 * time.Second, DownInter: 2 * time.Second, Rise: 2, Fall: 3}
	if diff := cmp.Diff(want, ms1.Servers[0]); diff != "" {
		t.Errorf("server (-want +got):\n%s", diff)
	}
	if ms1.Retries != 3 || ms1.Mode != "http" || ms1.HTTPCheck == nil || ms1.HTTPCheck.URI != "/healthCheck.html" {
		t.Errorf("backend defaults not applied: %+v", ms1)
	}
	fe := m.Frontend("http-in")
	if diff := cmp.Diff(OptionSet{{Name: "http-keep-alive"}, {Name: "forwardfor"}, {Name: "httplog"}}, fe.Options); diff != "" {
		t.Errorf("frontend options (-want +got):\n%s", diff)
	}
	if fe.Timeouts.HTTPRequestTimeout() != 20*time.Second || fe.Timeouts.KeepAliveTimeout() != 20*time.Second {
		t.Errorf("timeouts %+v", fe.Timeouts)
	}
}

func TestMergeOptions(t *testing.T) {
	for _, tc := range []struct {
		defaults, section []string
		want              OptionSet
	}{
		{[]string{"forwardfor", "httplog"}, []string{"no forwardfor"}, OptionSet{{Name: "httplog"}}},
		{[]string{"http-keep-alive"}, []string{"httpclose"}, OptionSet{{Name: "httpclose"}}},
		{[]string{"forwardfor except 10.0.0.0/8"}, []string{"forwardfor header X-Real-IP"},
			OptionSet{{Name: "forwardfor", Args: []string{"header", "X-Real-IP"}}}},
		{nil, []string{"redispatch", "no redispatch"}, nil},
	} {
		got := mergeOptions(tc.defaults, tc.section)
		if diff := cmp.Diff(tc.want, got); diff != "" && !(len(tc.want) == 0 && len(got) == 0) {
			t.Errorf("%v + %v (-want +got):\n%s", tc.defaults, tc.section, diff)
		}
	}
}

func TestValidateProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		toml string
		want []config.Problem
	}{
		{"seed is valid", seedText(), nil},
		{"bad values", `
[defaults]
mode = "udp"
option = ["frobnicate", "no", "httplog foo"]
bind = ["*:80"]
[frontend.fe]
bind = ["1.2.3.4", "*:99999"]
acl = ["x path_bgn /a"]
use_backend = ["nope if x", "be if unknown_acl"]
default_backend = "be"
balance = "roundrobin"
[backend.be]
balance = "weird"
cookie = { mode = "sideways" }
server = [
  { name = "a", address = "nohost", weight = 300 },
  { name = "a", address = "h:1", maxconn = -1, cookie = "c" },
  { name = "b", address = "h:2", cookie = "c", rise = 0 },
]
`, []config.Problem{
			{Path: "defaults.bind", Msg: "'bind' is not allowed in [defaults]"},
			{Path: "defaults.mode", Msg: "unknown mode 'udp' (expected 'http' or 'tcp')"},
			{Path: "defaults.option[0]", Msg: "unknown option 'frobnicate'"},
			{Path: "defaults.option[1]", Msg: "'no' expects exactly one option name"},
			{Path: "defaults.option[2]", Msg: "'option httplog' only accepts 'clf' (got 'foo')"},
			{Path: "frontend.fe.use_backend[1]", Msg: "unknown ACL 'unknown_acl'"},
			{Path: "backend.be.cookie.name", Msg: "a cookie name is required"},
			{Path: "backend.be.cookie.mode", Msg: "unknown cookie mode 'sideways' (expected 'insert', 'rewrite' or 'prefix')"},
			{Path: "backend.be.server[0].address", Msg: "invalid server address 'nohost' (expected HOST:PORT)"},
			{Path: "backend.be.server[0].weight", Msg: "weight must be between 0 and 256 (got 300)"},
			{Path: "backend.be.server[1].maxconn", Msg: "must be 0 or more"},
			{Path: "backend.be.server[1].name", Msg: "server name 'a' is already used by server[0]"},
			{Path: "backend.be.server[2].rise", Msg: "must be 1 or more"},
			{Path: "backend.be.server[2].cookie", Msg: "cookie value 'c' is already used by server 'a'"},
			{Path: "frontend.fe.balance", Msg: "'balance' is only allowed in backend or listen sections"},
			{Path: "frontend.fe.bind[0]", Msg: "invalid bind address '1.2.3.4' (expected ADDR:PORT, *:PORT or [::]:PORT)"},
			{Path: "frontend.fe.bind[1]", Msg: "invalid port '99999' in bind address '*:99999'"},
			{Path: "frontend.fe.acl[0]", Msg: "ACL 'x': unknown ACL criterion 'path_bgn'"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			if _, err := toml.Decode(tc.toml, &c); err != nil {
				t.Fatal(err)
			}
			got := c.Validate()
			if tc.want == nil {
				if len(got) != 0 {
					t.Errorf("unexpected problems: %v", got)
				}
				return
			}
			// Compare the listed problems as a prefix set; print all on mismatch.
			gotSet := map[config.Problem]bool{}
			for _, p := range got {
				gotSet[p] = true
			}
			for _, w := range tc.want {
				if !gotSet[w] {
					t.Errorf("missing problem %q\nall: %q", w, got)
				}
			}
		})
	}
}

// seedText is the seed configuration with the SPEC's server addresses.
func seedText() string {
	r := strings.NewReplacer("{{ms1.srv1}}", "198.18.1.21:8080", "{{ms1.srv2}}", "198.18.1.22:8080",
		"{{ms2.srv1}}", "198.18.1.23:8080", "{{ms2.srv2}}", "198.18.1.24:8080",
		"{{def.srv1}}", "198.18.1.25:8080", "{{def.srv2}}", "198.18.1.26:8080")
	return r.Replace(seedConfig)
}

func TestValidateMore(t *testing.T) {
	for _, tc := range []struct {
		name, toml string
		want       config.Problem
	}{
		{"unknown backend", "[frontend.f]\nbind=[\"*:1\"]\ndefault_backend=\"zz\"", config.Problem{Path: "frontend.f.default_backend", Msg: "unable to find required backend 'zz'"}},
		{"mode mismatch", "[frontend.f]\nmode=\"http\"\nbind=[\"*:1\"]\ndefault_backend=\"b\"\n[backend.b]\nmode=\"tcp\"", config.Problem{Path: "frontend.f.default_backend", Msg: "unable to use backend 'b' (mode tcp) from frontend 'f' (mode http)"}},
		{"listen name clash", "[backend.x]\n[listen.x]\nbind=[\"*:1\"]", config.Problem{Path: "listen.x", Msg: "listen 'x' has the same name as backend 'x'"}},
		{"duplicate bind", "[frontend.a]\nbind=[\"*:81\"]\n[frontend.b]\nbind=[\"*:81\"]", config.Problem{Path: "frontend.b.bind[0]", Msg: "address '*:81' is already bound by frontend 'a'"}},
		{"backend option in frontend", "[frontend.a]\nbind=[\"*:1\"]\noption=[\"redispatch\"]", config.Problem{Path: "frontend.a.option[0]", Msg: "'option redispatch' is only allowed in backend or listen sections"}},
		{"indirect outside insert", "[backend.b]\ncookie={name=\"S\", mode=\"rewrite\", indirect=true}", config.Problem{Path: "backend.b.cookie.indirect", Msg: "'indirect' is only valid in insert mode"}},
		{"stats auth", "[listen.s]\nbind=[\"*:1\"]\nstats={auth=[\"nocolon\"]}", config.Problem{Path: "listen.s.stats.auth[0]", Msg: "expected 'user:password' (got 'nocolon')"}},
		{"http_request needs http", "[frontend.a]\nbind=[\"*:1\"]\nhttp_request=[\"deny\"]", config.Problem{Path: "frontend.a.http_request", Msg: "http_request and http_response rules need mode http"}},
		{"http_request bad action", "[frontend.a]\nmode=\"http\"\nbind=[\"*:1\"]\nhttp_request=[\"allow\", \"tarpit\"]", config.Problem{Path: "frontend.a.http_request[1]", Msg: "http_request: unsupported action 'tarpit' (supported: set-header, add-header, del-header, replace-header, set-path, replace-path, redirect, deny, return, auth, allow)"}},
		{"http_response bad fetch", "[backend.b]\nmode=\"http\"\nhttp_response=[\"set-header X %[path]\"]", config.Problem{Path: "backend.b.http_response[0]", Msg: "http_response set-header: fetch 'path' is not available in http_response rules"}},
		{"http_auth unknown userlist", "[frontend.a]\nmode=\"http\"\nbind=[\"*:1\"]\nhttp_request=[\"auth unless { http_auth(nope) }\"]", config.Problem{Path: "frontend.a.http_request[0]", Msg: "unknown userlist 'nope' in 'http_auth(nope)'"}},
		{"userlist bad hash", "[userlist.u]\nuser=[{name=\"a\", password=\"$1$x$y\"}]", config.Problem{Path: "userlist.u.user[0]", Msg: "user 'a': unsupported password hash (only crypt(3) SHA-512 \"$6$...\" is supported)"}},
		{"tls needs certificates", "[frontend.a]\nmode=\"http\"\nbind=[\"*:1\"]\ntls={min_version=\"1.0\"}", config.Problem{Path: "frontend.a.tls.min_version", Msg: "unsupported min_version '1.0' (expected \"1.2\" or \"1.3\")"}},
		{"expect status", "[backend.b]\nhttpchk={expect_status=\"2xx\"}", config.Problem{Path: "backend.b.httpchk.expect_status", Msg: "expected a status code or a range like '200-399' (got '2xx')"}},
	} {
		var c Config
		if _, err := toml.Decode(tc.toml, &c); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		found := false
		got := c.Validate()
		for _, p := range got {
			found = found || p == tc.want
		}
		if !found {
			t.Errorf("%s: missing %q in %q", tc.name, tc.want, got)
		}
	}
}

// FuzzConfig decodes arbitrary TOML and checks that Validate and Resolve
// never panic and agree: Resolve fails exactly when Validate reports.
func FuzzConfig(f *testing.F) {
	f.Add(seedText())
	f.Add("[listen.x]\nbind=[\"*:1\"]\nserver=[{name=\"a\",address=\"h:1\",weight=0}]")
	f.Add("[defaults]\noption=[\"no forwardfor\"]\ncookie={name=\"S\",maxidle=\"1s\"}")
	f.Fuzz(func(t *testing.T, text string) {
		var c Config
		if _, err := toml.Decode(text, &c); err != nil {
			return
		}
		ps := c.Validate()
		m, err := c.Resolve()
		if (len(ps) == 0) != (err == nil) || (err == nil && m == nil) {
			t.Fatalf("Validate %v but Resolve %v", ps, err)
		}
		if err == nil {
			if _, err := New(&c, Options{}); err != nil {
				t.Fatalf("valid configuration refused by New: %v", err)
			}
		}
	})
}
