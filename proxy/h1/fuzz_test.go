package h1

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fuzzLimits runs each input under the defaults and under tiny limits, so
// the size and count limits are crossed often.
var fuzzLimits = []Limits{{}, {MaxHeadBytes: 64, MaxHeaders: 4}}

func FuzzParseRequest(f *testing.F) {
	for _, tt := range validRequests {
		f.Add([]byte(crlf(tt.in)))
	}
	for _, tt := range invalidRequests {
		f.Add([]byte(crlf(tt.in)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, lim := range fuzzLimits {
			var r Request
			n, err := ParseRequest(b, &r, lim)
			if n < 0 || n > len(b) || (err == nil) != (n > 0) || err == nil && n != r.HeadLen {
				t.Fatalf("ParseRequest(%q) = %d, %v (HeadLen %d)", b, n, err, r.HeadLen)
			}
			if len(b) <= 512 {
				if diff := cmp.Diff(requestOutcome(b, lim), incrementalRequest(b, lim)); diff != "" {
					t.Fatalf("%q: (-whole +incremental):\n%s", b, diff)
				}
			}
			if err != nil {
				continue
			}
			checkFields(t, r.Headers)
			// Re-serialise and parse again: same fields.
			out := AppendRequestLine(nil, r.Method, r.URI, r.Minor)
			out = AppendHead(out, r.Headers)
			var r2 Request
			if _, err := ParseRequest(out, &r2, Limits{}); err != nil {
				t.Fatalf("reparse of %q: %v", out, err)
			}
			want, got := viewRequest(&r), viewRequest(&r2)
			want.HeadLen, got.HeadLen = 0, 0
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("reparse of %q (-first +second):\n%s", out, diff)
			}
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	for _, tt := range validResponses {
		f.Add([]byte(crlf(tt.in)))
	}
	for _, tt := range invalidResponses {
		f.Add([]byte(crlf(tt.in)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, lim := range fuzzLimits {
			var r Response
			n, err := ParseResponse(b, &r, lim)
			if n < 0 || n > len(b) || (err == nil) != (n > 0) || err == nil && n != r.HeadLen {
				t.Fatalf("ParseResponse(%q) = %d, %v", b, n, err)
			}
			if len(b) <= 512 {
				if diff := cmp.Diff(responseOutcome(b, lim), incrementalResponse(b, lim)); diff != "" {
					t.Fatalf("%q: (-whole +incremental):\n%s", b, diff)
				}
			}
			if err != nil {
				continue
			}
			checkFields(t, r.Headers)
			_ = r.BodyMode([]byte("GET"))
			out := AppendStatusLine(nil, r.Minor, r.Status, r.Reason)
			out = AppendHead(out, r.Headers)
			var r2 Response
			if _, err := ParseResponse(out, &r2, Limits{}); err != nil {
				t.Fatalf("reparse of %q: %v", out, err)
			}
			want, got := viewResponse(&r), viewResponse(&r2)
			want.HeadLen, got.HeadLen = 0, 0
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("reparse of %q (-first +second):\n%s", out, diff)
			}
		}
	})
}

// checkFields asserts what the engine relies on: names are non-empty
// tokens, values hold no CR, LF or NUL and no surrounding blanks.
func checkFields(t *testing.T, hs []Header) {
	t.Helper()
	for _, h := range hs {
		if len(h.Name) == 0 || bytes.ContainsAny(h.Value, "\r\n\x00") || !bytes.Equal(trimOWS(h.Value), h.Value) {
			t.Fatalf("bad field %q: %q", h.Name, h.Value)
		}
		for _, c := range h.Name {
			if !tokenChar[c] {
				t.Fatalf("bad field name %q", h.Name)
			}
		}
	}
}

func FuzzChunked(f *testing.F) {
	for _, tt := range chunkedRows {
		if len(tt.in) < 1024 {
			f.Add([]byte(crlf(tt.in)))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		whole := scanAll(b)
		if whole.N < 0 || whole.N > len(b) || whole.N < len(b) && !whole.Done && whole.Err == "" {
			t.Fatalf("Scan(%q) = %+v", b, whole)
		}
		if diff := cmp.Diff(whole, scanBytewise(b)); diff != "" {
			t.Fatalf("%q (-whole +bytewise):\n%s", b, diff)
		}
		// Split in two at every tenth offset: same answer.
		for cut := 0; cut <= len(b); cut += 1 + len(b)/10 {
			var s ChunkedScanner
			n1, done, err := s.Scan(b[:cut])
			got := scanResult{N: n1, Done: done}
			if err == nil && !done {
				n2, done2, err2 := s.Scan(b[cut:])
				got = scanResult{N: n1 + n2, Done: done2}
				err = err2
			}
			if err != nil {
				got.Err = err.Error()
			}
			if diff := cmp.Diff(whole, got); diff != "" {
				t.Fatalf("%q cut at %d (-whole +split):\n%s", b, cut, diff)
			}
		}
	})
}
