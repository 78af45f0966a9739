package balance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// in is a test helper: nil stays nil, so absence is visible in tables.
func in(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

func str(s string) *string { return &s }

func TestFromURI(t *testing.T) {
	tests := []struct {
		balance string
		target  *string
		want    *string // nil: absent
	}{
		{"uri", str("/ms1/index.html?x=1"), str("/ms1/index.html")},
		{"uri", str("/"), str("/")},
		{"uri", str(""), str("")},
		{"uri", nil, nil},
		{"uri whole", str("/a/b?x=1&y=2"), str("/a/b?x=1&y=2")},
		{"uri len 4", str("/abcdef"), str("/abc")},
		{"uri len 4", str("/a?b"), str("/a")},
		{"uri depth 1", str("/a/b/c"), str("/a")},
		{"uri depth 2", str("/a/b/c?q"), str("/a/b")},
		{"uri depth 2", str("/a/b"), str("/a/b")},
		{"uri depth 2", str("/a?x/y/z"), str("/a")},
		{"uri whole depth 1", str("/a?x/y"), str("/a?x")},
		{"uri", str("http://example.com/a/b?q"), str("http://example.com/a/b")},
		{"uri path-only", str("http://example.com/a/b?q"), str("/a/b")},
		{"uri path-only", str("https://example.com"), str("")},
		{"uri path-only", str("example.com:443"), str("")},
		{"uri path-only", str("*"), str("")},
		{"uri path-only", str("/x?y"), str("/x")},
		{"url_param sid", str("/p?sid=42&x=1"), str("42")},
		{"url_param sid", str("/p?x=1&sid=42"), str("42")},
		{"url_param sid", str("/p?x=1&sid="), str("")},
		{"url_param sid", str("/p?x=1&sid"), nil},
		{"url_param sid", str("/p?xsid=1&sidx=2"), nil},
		{"url_param sid", str("/p?sid=1&sid=2"), str("1")},
		{"url_param sid", str("/p/sid=1"), nil},
		{"url_param sid", str("/p?"), nil},
		{"url_param sid", nil, nil},
		{"roundrobin", str("/p?sid=1"), nil},
	}
	for _, tt := range tests {
		a := mustParse(t, tt.balance, "")
		got := a.FromURI(in(tt.target))
		if (got == nil) != (tt.want == nil) || tt.want != nil && string(got) != *tt.want {
			t.Errorf("%q FromURI(%q) = %q (nil %v), want %v", tt.balance, deref(tt.target), got, got == nil, deref(tt.want))
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return "\"" + *s + "\""
}

func TestFromHeader(t *testing.T) {
	tests := []struct {
		balance string
		value   *string
		want    *string
	}{
		{"hdr(X-User)", str("alice"), str("alice")},
		{"hdr(X-User)", str(""), nil},
		{"hdr(X-User)", nil, nil},
		{"hdr(Host) use_domain_only", str("www.example.com"), str("example")},
		{"hdr(Host) use_domain_only", str("example.com"), str("example")},
		{"hdr(Host) use_domain_only", str("a.b.example.co:8080"), str("example")},
		{"hdr(Host) use_domain_only", str("localhost"), str("localhost")},
		{"hdr(Host) use_domain_only", str(".com"), str("")},
	}
	for _, tt := range tests {
		a := mustParse(t, tt.balance, "")
		got := a.FromHeader(in(tt.value))
		if (got == nil) != (tt.want == nil) || tt.want != nil && string(got) != *tt.want {
			t.Errorf("%q FromHeader(%v) = %q, want %v", tt.balance, deref(tt.value), got, deref(tt.want))
		}
	}
}

func TestFromBody(t *testing.T) {
	a := mustParse(t, "url_param sid check_post", "")
	tests := []struct {
		body *string
		want *string
	}{
		{str("a=1&sid=abc"), str("abc")},
		{str("sid=abc\r\n"), str("abc")},
		{str("a=1"), nil},
		{nil, nil},
	}
	for _, tt := range tests {
		got := a.FromBody(in(tt.body))
		if (got == nil) != (tt.want == nil) || tt.want != nil && string(got) != *tt.want {
			t.Errorf("FromBody(%v) = %q, want %v", deref(tt.body), got, deref(tt.want))
		}
	}
	if got := mustParse(t, "url_param sid", "").FromBody([]byte("sid=1")); got != nil {
		t.Errorf("FromBody without check_post = %q, want nil", got)
	}
}

func TestAlgorithmString(t *testing.T) {
	tests := []struct{ balance, hashType, str, hstr string }{
		{"", "", "roundrobin", "map-based sdbm"},
		{"random", "", "random(2)", "map-based sdbm"},
		{"uri depth 2 whole", "consistent avalanche", "uri whole depth 2", "consistent sdbm avalanche"},
		{"hdr(Host) use_domain_only", "consistent wt6", "hdr(Host) use_domain_only", "consistent wt6"},
	}
	for _, tt := range tests {
		a := mustParse(t, tt.balance, tt.hashType)
		got := []string{a.String(), a.HashTypeString()}
		if diff := cmp.Diff([]string{tt.str, tt.hstr}, got); diff != "" {
			t.Errorf("%q strings (-want +got):\n%s", tt.balance, diff)
		}
	}
}
