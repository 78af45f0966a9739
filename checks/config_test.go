package checks

import (
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"haappliance/config"
)

func TestHTTPCheckValidate(t *testing.T) {
	tests := []struct {
		name string
		in   HTTPCheck
		want []config.Problem
	}{
		{"empty is bare httpchk", HTTPCheck{}, nil},
		{"seed", HTTPCheck{Method: "GET", URI: "/healthCheck.html"}, nil},
		{"full", HTTPCheck{Method: "HEAD", URI: "/hc?x=1", Version: "HTTP/1.1", Host: "www.example.org", ExpectStatus: "200,301-302"}, nil},
		{"bad everything", HTTPCheck{Method: "G T", URI: "health", Version: "HTTP/2", Host: "a b", ExpectStatus: "2xx"},
			[]config.Problem{
				{Path: "method", Msg: `invalid HTTP method "G T"`},
				{Path: "uri", Msg: `invalid URI "health" (must start with "/" and hold no spaces or control characters)`},
				{Path: "version", Msg: `unsupported version "HTTP/2" (want HTTP/1.0 or HTTP/1.1)`},
				{Path: "host", Msg: `invalid host "a b"`},
				{Path: "expect_status", Msg: `invalid status "2xx" (want codes 100-599 or ranges like 200-399)`},
			}},
		{"1.1 without host", HTTPCheck{Version: "HTTP/1.1"}, []config.Problem{{Path: "host", Msg: "version HTTP/1.1 needs a host"}}},
		{"uri with space", HTTPCheck{URI: "/a b"}, []config.Problem{{Path: "uri", Msg: `invalid URI "/a b" (must start with "/" and hold no spaces or control characters)`}}},
		{"inverted range", HTTPCheck{ExpectStatus: "300-200"}, []config.Problem{{Path: "expect_status", Msg: `invalid status range "300-200": 300 is above 200`}}},
		{"out of range", HTTPCheck{ExpectStatus: "600"}, []config.Problem{{Path: "expect_status", Msg: `invalid status "600" (want codes 100-599 or ranges like 200-399)`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, tt.in.Validate()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestHTTPCheckRequest(t *testing.T) {
	// The bytes HAProxy 2.6.12 sends for the same settings (captured).
	tests := []struct {
		in   HTTPCheck
		want string
	}{
		{HTTPCheck{}, "OPTIONS / HTTP/1.0\r\n\r\n"},
		{HTTPCheck{Method: "GET", URI: "/healthCheck.html"}, "GET /healthCheck.html HTTP/1.0\r\n\r\n"},
		{HTTPCheck{Method: "GET", URI: "/z", Version: "HTTP/1.1", Host: "example.org"},
			"GET /z HTTP/1.1\r\nhost: example.org\r\nconnection: close\r\n\r\n"},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, string(tt.in.Request())); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	}
}

func TestHTTPCheckTOML(t *testing.T) {
	var doc struct {
		A HTTPCheck `toml:"a"`
		B HTTPCheck `toml:"b"`
	}
	src := `
a = { method = "GET", uri = "/healthCheck.html", expect_status = 200 }
b = { version = "HTTP/1.1", host = "h", expect_status = "200-299,302", disable_on_404 = true }
`
	if _, err := toml.Decode(src, &doc); err != nil {
		t.Fatal(err)
	}
	want := HTTPCheck{Method: "GET", URI: "/healthCheck.html", ExpectStatus: "200"}
	if d := cmp.Diff(want, doc.A); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	want = HTTPCheck{Version: "HTTP/1.1", Host: "h", ExpectStatus: "200-299,302", DisableOn404: true}
	if d := cmp.Diff(want, doc.B); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := toml.Decode(`a = { expect_status = 1.5 }`, &doc); err == nil {
		t.Error("float expect_status accepted")
	}
}

func TestParseExpect(t *testing.T) {
	got, err := parseExpect(" 200 , 301-302,500-599")
	if err != nil {
		t.Fatal(err)
	}
	want := []statusRange{{200, 200}, {301, 302}, {500, 599}}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(statusRange{})); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{"", ",", "200-", "-200", "99", "abc", "200-300-400"} {
		if _, err := parseExpect(bad); err == nil {
			t.Errorf("parseExpect(%q) accepted", bad)
		}
	}
}

func TestParamsDefaults(t *testing.T) {
	type out struct {
		Inter, Fast, Down, Connect, Resp time.Duration
		FromConnect                      bool
		Rise, Fall                       int
	}
	get := func(p Params) out {
		r, fc := p.ResponseDeadline()
		return out{p.InterDur(), p.FastInterDur(), p.DownInterDur(), p.ConnectDeadline(), r, fc, p.RiseN(), p.FallN()}
	}
	d := func(s string) config.Duration {
		v, err := config.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		return config.Duration(v)
	}
	tests := []struct {
		name string
		in   Params
		want out
	}{
		{"haproxy defaults", Params{}, out{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, false, 2, 3}},
		{"inter only", Params{Inter: d("500ms")}, out{500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond, false, 2, 3}},
		{"connect ignored without timeout check", Params{Inter: d("5s"), ConnectTimeout: d("1s")}, out{5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second, false, 2, 3}},
		{"timeout check: min(connect, inter) then check", Params{Inter: d("5s"), FastInter: d("1s"), DownInter: d("10s"), ConnectTimeout: d("1s"), Timeout: d("3s"), Rise: 1, Fall: 5},
			out{5 * time.Second, time.Second, 10 * time.Second, time.Second, 3 * time.Second, true, 1, 5}},
		{"timeout check, long connect", Params{Inter: d("300ms"), ConnectTimeout: d("5s"), Timeout: d("2s")},
			out{300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond, 2 * time.Second, true, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, get(tt.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParamsValidateAndDefaults(t *testing.T) {
	want := []config.Problem{{Path: "rise", Msg: "rise must be at least 1, not -1"}, {Path: "fall", Msg: "fall must be at least 1, not -2"}}
	if d := cmp.Diff(want, Params{Rise: -1, Fall: -2}.Validate()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	def := Params{Inter: config.Duration(time.Second), Rise: 5, Fall: 6, FastInter: 1, DownInter: 2, Timeout: 3, ConnectTimeout: 4}
	got := Params{Fall: 1}.WithDefaults(def)
	wantP := Params{Inter: config.Duration(time.Second), Rise: 5, Fall: 1, FastInter: 1, DownInter: 2, Timeout: 3, ConnectTimeout: 4}
	if d := cmp.Diff(wantP, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestSpread(t *testing.T) {
	var got []time.Duration
	for i := range 5 {
		got = append(got, Spread(i, 4, 2*time.Second))
	}
	want := []time.Duration{0, 500 * time.Millisecond, time.Second, 1500 * time.Millisecond, 0}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if Spread(3, 0, time.Second) != 0 {
		t.Error("n=0")
	}
}
