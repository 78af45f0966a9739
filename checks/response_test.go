package checks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type headOut struct {
	Code   int
	Reason string
	Done   bool
	Err    bool
}

var responseHeadTests = []struct {
	in   string
	want headOut
}{
	{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", headOut{200, "OK", true, false}},
	{"HTTP/1.0 404 Not Found\r\n\r\n", headOut{404, "Not Found", true, false}},
	{"HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n", headOut{503, "", true, false}},
	{"HTTP/1.1 503 \r\n\r\n", headOut{503, "", true, false}},
	{"HTTP/1.0 500 Internal \"Server\" Error\n\n", headOut{500, `Internal "Server" Error`, true, false}},
	{"HTTP/1.1 200 OK\r\nX: a\r\n  folded\r\n\r\n", headOut{200, "OK", true, false}},
	{"HTTP/1.1 200 OK\r\nContent-Le", headOut{200, "OK", false, false}},
	{"HTTP/1.1 20", headOut{0, "", false, false}},
	{"HTT", headOut{0, "", false, false}},
	{"", headOut{0, "", false, false}},
	{"garbage garbage\r\n\r\n", headOut{0, "", false, true}},
	{"hello", headOut{0, "", false, true}},
	{"HTTP/1.1 2x0 OK\r\n\r\n", headOut{0, "", false, true}},
	{"HTTP/1.1 099 Low\r\n\r\n", headOut{99, "", false, true}},
	{"HTTP/1.1 2000 OK\r\n\r\n", headOut{200, "", false, true}},
	{"HTTP/1.1 200OK\r\n\r\n", headOut{200, "", false, true}},
	{"HTTP/11 200 OK\r\n\r\n", headOut{0, "", false, true}},
	{"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", headOut{200, "OK", false, true}},
	{"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", headOut{200, "OK", false, true}},
	{"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", headOut{200, "OK", false, true}},
	{"HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n", headOut{200, "OK", false, true}},
	{"HTTP/1.1 200 OK\r\nX: a\x00", headOut{200, "OK", false, true}},
	{"HTTP/1.1 200 O\rK\r\n\r\n", headOut{200, "", false, true}},
	{"HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", maxResponseHead) + "\r\n\r\n", headOut{200, "OK", false, true}},
	{"HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", maxResponseHead), headOut{200, "OK", false, true}},
	{"HTTP/1.1 200 " + strings.Repeat("a", maxResponseHead), headOut{0, "", false, true}},
}

func TestParseResponseHead(t *testing.T) {
	for _, tt := range responseHeadTests {
		h, done, err := parseResponseHead([]byte(tt.in))
		got := headOut{h.code, string(h.reason), done, err != nil}
		if got.Err {
			got.Reason = "" // unspecified on error
		}
		want := tt.want
		if want.Err {
			want.Reason = ""
		}
		if d := cmp.Diff(want, got); d != "" {
			in := tt.in
			if len(in) > 60 {
				in = in[:60] + "..."
			}
			t.Errorf("%q (-want +got):\n%s", in, d)
		}
	}
}

// FuzzParseResponseHead checks that the parser never panics, that a complete
// head stays complete with more bytes after it, and that a head judged
// incomplete is never judged invalid for a prefix of a valid one.
func FuzzParseResponseHead(f *testing.F) {
	for _, tt := range responseHeadTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, done, err := parseResponseHead(b)
		if err != nil {
			return
		}
		if done {
			if h.code < 100 || h.code > 999 {
				t.Fatalf("code %d", h.code)
			}
			h2, done2, err2 := parseResponseHead(append(b[:len(b):len(b)], "trailing"...))
			if !done2 || err2 != nil || h2.code != h.code {
				t.Fatalf("head changed with trailing bytes")
			}
			return
		}
		if len(b) > 2048 {
			return // keep the prefix walk below cheap
		}
		for i := 0; i < len(b); i++ {
			if _, _, err := parseResponseHead(b[:i]); err != nil {
				t.Fatalf("prefix %d of a valid partial head rejected: %v", i, err)
			}
		}
	})
}

func BenchmarkParseResponseHead(b *testing.B) {
	b.ReportAllocs()
	buf := []byte("HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok")
	for b.Loop() {
		if _, done, err := parseResponseHead(buf); !done || err != nil {
			b.Fatal(done, err)
		}
	}
}
