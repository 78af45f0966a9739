package h1

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type respView struct {
	Minor, Status        int
	Reason               string
	Headers              []string
	ContentLength        int64
	Chunked, KeepAlive   bool
	ContentLengthIgnored bool
	HeadLen              int
}

func viewResponse(r *Response) respView {
	return respView{
		Minor: r.Minor, Status: r.Status, Reason: str(r.Reason), Headers: headerStrings(r.Headers),
		ContentLength: r.ContentLength, Chunked: r.Chunked, KeepAlive: r.KeepAlive,
		ContentLengthIgnored: r.ContentLengthIgnored, HeadLen: r.HeadLen,
	}
}

var validResponses = []struct {
	name string
	in   string
	want respView
}{
	{"typical 200", "HTTP/1.1 200 OK|Content-Type: text/html|Content-Length: 5||",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Content-Type=text/html", "Content-Length=5"},
			ContentLength: 5, KeepAlive: true}},
	{"no reason phrase", "HTTP/1.1 204||",
		respView{Minor: 1, Status: 204, Reason: "", ContentLength: -1, KeepAlive: true}},
	{"empty reason phrase", "HTTP/1.1 200 ||",
		respView{Minor: 1, Status: 200, Reason: "", ContentLength: -1, KeepAlive: true}},
	{"reason with spaces", "HTTP/1.0 404 Not  Found||",
		respView{Status: 404, Reason: "Not  Found", ContentLength: -1}},
	{"HTTP/1.0 keep-alive", "HTTP/1.0 200 OK|Connection: keep-alive|Content-Length: 0||",
		respView{Status: 200, Reason: "OK", Headers: []string{"Connection=keep-alive", "Content-Length=0"},
			ContentLength: 0, KeepAlive: true}},
	{"close", "HTTP/1.1 200 OK|Connection: close||",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Connection=close"}, ContentLength: -1}},
	{"chunked", "HTTP/1.1 200 OK|Transfer-Encoding: chunked||",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Transfer-Encoding=chunked"},
			ContentLength: -1, Chunked: true, KeepAlive: true}},
	{"TE wins over CL", "HTTP/1.1 200 OK|Content-Length: 10|Transfer-Encoding: chunked||",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Content-Length=10", "Transfer-Encoding=chunked"},
			ContentLength: -1, Chunked: true, KeepAlive: true, ContentLengthIgnored: true}},
	{"gzip then chunked", "HTTP/1.1 200 OK|Transfer-Encoding: gzip|Transfer-Encoding: chunked||",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Transfer-Encoding=gzip", "Transfer-Encoding=chunked"},
			ContentLength: -1, Chunked: true, KeepAlive: true}},
	{"final coding not chunked", "HTTP/1.1 200 OK|Transfer-Encoding: chunked, gzip||",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Transfer-Encoding=chunked, gzip"},
			ContentLength: -1, KeepAlive: true}},
	{"duplicate CL merged", "HTTP/1.1 200 OK|Content-Length: 3|Content-Length: 3, 3||",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Content-Length=3", "Content-Length=3, 3"},
			ContentLength: 3, KeepAlive: true}},
	{"100 Continue", "HTTP/1.1 100 Continue||",
		respView{Minor: 1, Status: 100, Reason: "Continue", ContentLength: -1, KeepAlive: true}},
	{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 1\n\n",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Content-Length=1"}, ContentLength: 1, KeepAlive: true}},
	{"Host not checked in responses", "HTTP/1.1 200 OK|Host: a|Host: b||",
		respView{Minor: 1, Status: 200, Reason: "OK", Headers: []string{"Host=a", "Host=b"}, ContentLength: -1, KeepAlive: true}},
}

func TestParseResponseValid(t *testing.T) {
	for _, tt := range validResponses {
		t.Run(tt.name, func(t *testing.T) {
			in := crlf(tt.in)
			var r Response
			n, err := ParseResponse([]byte(in+"body"), &r, Limits{})
			if err != nil {
				t.Fatalf("ParseResponse(%q) error %v", in, err)
			}
			if n != len(in) {
				t.Errorf("n = %d, want %d", n, len(in))
			}
			want := tt.want
			want.HeadLen = len(in)
			if diff := cmp.Diff(want, viewResponse(&r)); diff != "" {
				t.Errorf("ParseResponse(%q) (-want +got):\n%s", in, diff)
			}
		})
	}
}

var invalidResponses = []struct {
	name string
	in   string
	want errCode
}{
	{"conflicting CL", "HTTP/1.1 200 OK|Content-Length: 1|Content-Length: 2||", errConflictingContentLength},
	{"bad CL", "HTTP/1.1 200 OK|Content-Length: 0x10||", errBadContentLength},
	{"bad CL with TE", "HTTP/1.1 200 OK|Content-Length: x|Transfer-Encoding: chunked||", errBadContentLength},
	{"chunked twice", "HTTP/1.1 200 OK|Transfer-Encoding: chunked, chunked||", errChunkedTwice},
	{"TE empty element", "HTTP/1.1 200 OK|Transfer-Encoding: , chunked||", errBadTransferEncoding},
	{"TE not a token", "HTTP/1.1 200 OK|Transfer-Encoding: g(zip)||", errBadTransferEncoding},
	{"TE in HTTP/1.0", "HTTP/1.0 200 OK|Transfer-Encoding: chunked||", errTEInHTTP10},
	{"NUL in value", "HTTP/1.1 200 OK|X: \x00||", errNUL},
	{"NUL in reason", "HTTP/1.1 200 O\x00K||", errBadReason},
	{"bare CR", "HTTP/1.1 200 OK|X: a\rb||", errBareCR},
	{"space before colon", "HTTP/1.1 200 OK|X : a||", errSpaceBeforeColon},
	{"HTTP/2", "HTTP/2.0 200 OK||", errBadVersion},
	{"lower-case version", "http/1.1 200 OK||", errBadVersion},
	{"short status", "HTTP/1.1 20 OK||", errBadStatus},
	{"long status", "HTTP/1.1 2000 OK||", errBadStatus},
	{"status below 100", "HTTP/1.1 099 OK||", errBadStatus},
	{"no status", "HTTP/1.1||", errBadStatusLine},
	{"two spaces", "HTTP/1.1  200 OK||", errBadStatus},
	{"garbage", "<html>||", errBadStatusLine},
}

func TestParseResponseInvalid(t *testing.T) {
	for _, tt := range invalidResponses {
		t.Run(tt.name, func(t *testing.T) {
			in := crlf(tt.in)
			var r Response
			n, err := ParseResponse([]byte(in), &r, Limits{})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseResponse(%q) = %d, %v; want a ParseError", in, n, err)
			}
			if diff := cmp.Diff(responseErrs[tt.want], *pe); diff != "" {
				t.Errorf("ParseResponse(%q) error (-want +got):\n%s", in, diff)
			}
			if pe.Status != 502 {
				t.Errorf("status %d, want 502", pe.Status)
			}
		})
	}
}

func TestParseResponseIncremental(t *testing.T) {
	var ins []string
	for _, tt := range validResponses {
		ins = append(ins, crlf(tt.in))
	}
	for _, tt := range invalidResponses {
		ins = append(ins, crlf(tt.in))
	}
	for _, in := range ins {
		if diff := cmp.Diff(responseOutcome([]byte(in), Limits{}), incrementalResponse([]byte(in), Limits{})); diff != "" {
			t.Errorf("%q: (-whole +incremental):\n%s", in, diff)
		}
	}
}

func responseOutcome(b []byte, lim Limits) outcome {
	var r Response
	n, err := ParseResponse(b, &r, lim)
	if err != nil {
		return outcome{N: n, Err: err.Error()}
	}
	return outcome{N: n, View: viewResponse(&r)}
}

func incrementalResponse(b []byte, lim Limits) outcome {
	for i := 0; i <= len(b); i++ {
		o := responseOutcome(b[:i], lim)
		if o.Err != ErrIncomplete.Error() {
			return o
		}
	}
	return outcome{Err: ErrIncomplete.Error()}
}

func TestResponseLimits(t *testing.T) {
	var r Response
	_, err := ParseResponse([]byte(crlf("HTTP/1.1 200 OK|A: 1|B: 2||")), &r, Limits{MaxHeaders: 2})
	if err != errTooManyHeaders.response() {
		t.Errorf("err = %v, want too many headers", err)
	}
	_, err = ParseResponse([]byte(crlf("HTTP/1.1 200 OK|A: 1|B: 2|")), &r, Limits{MaxHeadBytes: 20})
	if err != errTooLarge.response() {
		t.Errorf("err = %v, want too large", err)
	}
}

func TestResponseBodyMode(t *testing.T) {
	tests := []struct {
		method string
		in     string
		want   BodyMode
	}{
		{"GET", "HTTP/1.1 200 OK|Content-Length: 5||", BodyLength},
		{"HEAD", "HTTP/1.1 200 OK|Content-Length: 5||", BodyNone},
		{"HEAD", "HTTP/1.1 200 OK|Transfer-Encoding: chunked||", BodyNone},
		{"GET", "HTTP/1.1 100 Continue||", BodyNone},
		{"GET", "HTTP/1.1 101 Switching Protocols|Connection: upgrade|Upgrade: websocket||", BodyNone},
		{"GET", "HTTP/1.1 204 No Content|Content-Length: 5||", BodyNone},
		{"GET", "HTTP/1.1 304 Not Modified|Content-Length: 5||", BodyNone},
		{"CONNECT", "HTTP/1.1 200 Connection established||", BodyNone},
		{"CONNECT", "HTTP/1.1 407 Proxy Authentication Required|Content-Length: 5||", BodyLength},
		{"GET", "HTTP/1.1 200 OK|Transfer-Encoding: chunked||", BodyChunked},
		{"GET", "HTTP/1.1 200 OK|Content-Length: 9|Transfer-Encoding: chunked||", BodyChunked},
		{"GET", "HTTP/1.1 200 OK|Transfer-Encoding: chunked, gzip||", BodyUntilClose},
		{"GET", "HTTP/1.1 200 OK|Content-Length: 0||", BodyNone},
		{"GET", "HTTP/1.1 200 OK||", BodyUntilClose},
		{"GET", "HTTP/1.0 200 OK||", BodyUntilClose},
	}
	for _, tt := range tests {
		var r Response
		if _, err := ParseResponse([]byte(crlf(tt.in)), &r, Limits{}); err != nil {
			t.Fatal(err)
		}
		if got := r.BodyMode([]byte(tt.method)); got != tt.want {
			t.Errorf("%s %q: BodyMode = %v, want %v", tt.method, tt.in, got, tt.want)
		}
	}
}
