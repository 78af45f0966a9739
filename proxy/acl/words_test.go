package acl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   \t ", nil},
		{"url_ms1 path_beg -i /ms1/", []string{"url_ms1", "path_beg", "-i", "/ms1/"}},
		{"a\tb  c", []string{"a", "b", "c"}},
		{`a\ b`, []string{"a b"}},
		{`a\#b`, []string{"a#b"}},
		{`a\\b`, []string{`a\b`}},
		{`a\'b\"c`, []string{`a'b"c`}},
		{`\n\r\t`, []string{"\n\r\t"}},
		{`\x41\x7a`, []string{"Az"}},
		{`^/api/v[0-9]+\.json$`, []string{`^/api/v[0-9]+\.json$`}},
		{`"a b" 'c d'`, []string{"a b", "c d"}},
		{`"a'b#c"`, []string{"a'b#c"}},
		{`'a"b\n#'`, []string{`a"b\n#`}},
		{`"a\"b\\c\x41\$"`, []string{`a"b\cA$`}},
		{`"%{+Q}o %t"' %s'\ %{-Q}r`, []string{"%{+Q}o %t %s %{-Q}r"}},
		{`"" x ''`, []string{"", "x", ""}},
		{"a # comment", []string{"a"}},
		{"a#b", []string{"a"}},
		{"#", nil},
		{`"$HOME"`, []string{"$HOME"}},
		{`tail\`, []string{`tail\`}},
		{`{ src 198.18.9.0/24 }`, []string{"{", "src", "198.18.9.0/24", "}"}},
	}
	for _, tt := range tests {
		got, err := Words(tt.in)
		if err != nil {
			t.Errorf("Words(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Words(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestWordsErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`'abc`, `unmatched single quote in ''abc'`},
		{`"abc`, `unmatched double quote in '"abc'`},
		{`a "b\"`, `unmatched double quote in 'a "b\"'`},
		{`\x4`, `truncated or invalid hexadecimal sequence at '\x4'`},
		{`\xzz`, `truncated or invalid hexadecimal sequence at '\xzz'`},
		{`"\xg1"`, `truncated or invalid hexadecimal sequence at '\xg1'`},
	}
	for _, tt := range tests {
		_, err := Words(tt.in)
		if err == nil {
			t.Errorf("Words(%q): no error, want %q", tt.in, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("Words(%q) error (-want +got):\n%s", tt.in, diff)
		}
	}
}
