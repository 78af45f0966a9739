package stats

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAdminPost(t *testing.T) {
	tests := []struct {
		body    string
		want    AdminAction
		wantErr bool
		noSrv   bool
	}{
		{"s=ms1.srv1&s=ms1.srv2&action=drain&b=ms1", AdminAction{Backend: "ms1", Servers: []string{"ms1.srv1", "ms1.srv2"}, Action: "drain"}, false, false},
		{"b=ms1&s=a&action=enable", AdminAction{Backend: "ms1", Servers: []string{"a"}, Action: "ready"}, false, false},
		{"b=ms1&s=a&action=disable", AdminAction{Backend: "ms1", Servers: []string{"a"}, Action: "maint"}, false, false},
		{"b=my%20be&s=x%2By&action=maint", AdminAction{Backend: "my be", Servers: []string{"x+y"}, Action: "maint"}, false, false},
		{"b=ms1&action=ready", AdminAction{Backend: "ms1", Action: "ready"}, true, true},
		{"b=ms1&s=a&action=shutdown", AdminAction{}, true, false},
		{"s=a&action=ready", AdminAction{}, true, false},
		{"b=ms1&s=a", AdminAction{}, true, false},
		{"b=ms1&s=&action=ready", AdminAction{}, true, false},
		{"b=%zz", AdminAction{}, true, false},
		{"", AdminAction{}, true, false},
	}
	for _, tc := range tests {
		got, err := ParseAdminPost([]byte(tc.body))
		if (err != nil) != tc.wantErr || errors.Is(err, ErrNoServer) != tc.noSrv {
			t.Errorf("ParseAdminPost(%q) error = %v, want error %v (no server %v)", tc.body, err, tc.wantErr, tc.noSrv)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseAdminPost(%q) (-want +got):\n%s", tc.body, diff)
		}
	}
}

func FuzzParseAdminPost(f *testing.F) {
	f.Add([]byte("s=ms1.srv1&action=drain&b=ms1"))
	f.Add([]byte("b=%zz&s=;&action=enable"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := ParseAdminPost(body)
		if err != nil && !errors.Is(err, ErrNoServer) {
			return
		}
		switch a.Action {
		case "ready", "drain", "maint":
		default:
			t.Fatalf("action %q accepted", a.Action)
		}
		if a.Backend == "" {
			t.Fatal("empty backend accepted")
		}
	})
}
