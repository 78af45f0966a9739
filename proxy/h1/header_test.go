package h1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHeaderValue(t *testing.T) {
	hs := []Header{
		{Name: []byte("Host"), Value: []byte("a")},
		{Name: []byte("X-Forwarded-For"), Value: []byte("1.2.3.4")},
		{Name: []byte("x-forwarded-for"), Value: []byte("5.6.7.8")},
	}
	tests := []struct {
		name   string
		want   string
		wantOK bool
	}{
		{"host", "a", true},
		{"HOST", "a", true},
		{"X-FORWARDED-FOR", "1.2.3.4", true},
		{"X-Forwarded", "", false},
		{"x~forwarded-for", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		v, ok := HeaderValue(hs, tt.name)
		if diff := cmp.Diff([]any{tt.want, tt.wantOK}, []any{string(v), ok}); diff != "" {
			t.Errorf("HeaderValue(%q) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestHasToken(t *testing.T) {
	tests := []struct {
		v, token string
		want     bool
	}{
		{"close", "close", true},
		{"Keep-Alive, Upgrade", "upgrade", true},
		{" keep-alive ,\tclose ", "close", true},
		{"closed", "close", false},
		{"x-close", "close", false},
		{"", "close", false},
		{",,close,,", "close", true},
		{"trailers", "trailers", true},
		{"close", "", false},
		{"a,,b", "", true}, // an empty element matches an empty token
	}
	for _, tt := range tests {
		if got := HasToken([]byte(tt.v), tt.token); got != tt.want {
			t.Errorf("HasToken(%q, %q) = %v, want %v", tt.v, tt.token, got, tt.want)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"007", 7, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false},
		{"18446744073709551616", 0, false},
		{"", 0, false},
		{"1 ", 0, false},
		{"1e3", 0, false},
	}
	for _, tt := range tests {
		n, ok := parseDecimal([]byte(tt.in))
		if n != tt.want || ok != tt.ok {
			t.Errorf("parseDecimal(%q) = %d, %v; want %d, %v", tt.in, n, ok, tt.want, tt.ok)
		}
	}
}
