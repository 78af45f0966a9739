package convert

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/acl"
)

func TestQuoteWord(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", `""`},
		{"a b", "'a b'"},
		{`\.json$`, `\.json$`},
		{`^/x\d+`, `^/x\d+`},
		{"it's", `"it's"`},
		{"a#b", "'a#b'"},
		{"tab\there", `"tab\there"`},
		{"q\"'", `"q\"'"`},
		{"$HOME", "$HOME"},
		{"\x01", "\x01"},
		{"a\x01 b", `"a\x01 b"`},
		{`back\`, `'back\'`},
		{`\`, `'\'`}, // crasher of FuzzQuoteWords: `\ 0` read back as " 0"
	}
	for _, tt := range tests {
		got := quoteWord(tt.in)
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("quoteWord(%q) (-want +got):\n%s", tt.in, d)
		}
		back, err := acl.Words(got)
		if err != nil || len(back) != 1 || back[0] != tt.in {
			t.Errorf("acl.Words(%q) = %q, %v; want [%q]", got, back, err, tt.in)
		}
	}
}

func TestTOMLString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a", `"a"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"l\nr\r\t\x01\x7f", `"l\nr\r\t\u0001\u007f"`},
		{"é", `"é"`},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, tomlString(tt.in)); d != "" {
			t.Errorf("tomlString(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}
