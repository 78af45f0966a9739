package h1

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reqView is a Request with strings, so cmp.Diff prints it readably.
// nil slices read "<nil>".
type reqView struct {
	Method, URI, Path, Query string
	Minor                    int
	Headers                  []string
	ContentLength            int64
	Chunked, KeepAlive       bool
	Expect100, Upgrade       bool
	Host                     string
	HeadLen                  int
}

func str(b []byte) string {
	if b == nil {
		return "<nil>"
	}
	return string(b)
}

func headerStrings(hs []Header) []string {
	var out []string
	for _, h := range hs {
		out = append(out, string(h.Name)+"="+string(h.Value))
	}
	return out
}

func viewRequest(r *Request) reqView {
	return reqView{
		Method: str(r.Method), URI: str(r.URI), Path: str(r.Path), Query: str(r.Query),
		Minor: r.Minor, Headers: headerStrings(r.Headers), ContentLength: r.ContentLength,
		Chunked: r.Chunked, KeepAlive: r.KeepAlive, Expect100: r.Expect100, Upgrade: r.Upgrade,
		Host: str(r.Host), HeadLen: r.HeadLen,
	}
}

// crlf turns "|" into CRLF so rows read on one line.
func crlf(s string) string { return strings.ReplaceAll(s, "|", "\r\n") }

var validRequests = []struct {
	name string
	in   string
	want reqView
}{
	{"typical GET", "GET /ms1/index.html?a=1&b=2 HTTP/1.1|Host: www.example.com|User-Agent: curl/8|Accept: */*||",
		reqView{Method: "GET", URI: "/ms1/index.html?a=1&b=2", Path: "/ms1/index.html", Query: "a=1&b=2", Minor: 1,
			Headers:       []string{"Host=www.example.com", "User-Agent=curl/8", "Accept=*/*"},
			ContentLength: -1, KeepAlive: true, Host: "www.example.com"}},
	{"HTTP/1.0 closes by default", "GET / HTTP/1.0||",
		reqView{Method: "GET", URI: "/", Path: "/", Query: "<nil>", ContentLength: -1, Host: "<nil>"}},
	{"HTTP/1.0 keep-alive", "GET / HTTP/1.0|Connection: Keep-Alive||",
		reqView{Method: "GET", URI: "/", Path: "/", Query: "<nil>", Headers: []string{"Connection=Keep-Alive"},
			ContentLength: -1, KeepAlive: true, Host: "<nil>"}},
	{"HTTP/1.1 Connection close", "GET / HTTP/1.1|Connection: foo, close||",
		reqView{Method: "GET", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"Connection=foo, close"},
			ContentLength: -1, Host: "<nil>"}},
	{"POST with Content-Length", "POST /f HTTP/1.1|Host: a|Content-Length: 12||",
		reqView{Method: "POST", URI: "/f", Path: "/f", Query: "<nil>", Minor: 1, Headers: []string{"Host=a", "Content-Length=12"},
			ContentLength: 12, KeepAlive: true, Host: "a"}},
	{"Content-Length 5, 5 merged", "POST / HTTP/1.1|Content-Length: 5 ,5||",
		reqView{Method: "POST", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"Content-Length=5 ,5"},
			ContentLength: 5, KeepAlive: true, Host: "<nil>"}},
	{"two identical Content-Length merged", "POST / HTTP/1.1|Content-Length: 5|content-length: 5||",
		reqView{Method: "POST", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"Content-Length=5", "content-length=5"},
			ContentLength: 5, KeepAlive: true, Host: "<nil>"}},
	{"largest Content-Length", "POST / HTTP/1.1|Content-Length: 9223372036854775807||",
		reqView{Method: "POST", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"Content-Length=9223372036854775807"},
			ContentLength: 9223372036854775807, KeepAlive: true, Host: "<nil>"}},
	{"chunked", "POST / HTTP/1.1|Transfer-Encoding: Chunked||",
		reqView{Method: "POST", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"Transfer-Encoding=Chunked"},
			ContentLength: -1, Chunked: true, KeepAlive: true, Host: "<nil>"}},
	{"absolute-form", "GET http://u:p@Example.com:8080/a/b?x=1 HTTP/1.1|Host: example.com:8080||",
		reqView{Method: "GET", URI: "http://u:p@Example.com:8080/a/b?x=1", Path: "/a/b", Query: "x=1", Minor: 1,
			Headers: []string{"Host=example.com:8080"}, ContentLength: -1, KeepAlive: true, Host: "Example.com:8080"}},
	{"absolute-form without path", "GET https://example.com?q HTTP/1.1||",
		reqView{Method: "GET", URI: "https://example.com?q", Path: "/", Query: "q", Minor: 1,
			ContentLength: -1, KeepAlive: true, Host: "example.com"}},
	{"CONNECT", "CONNECT example.com:443 HTTP/1.1||",
		reqView{Method: "CONNECT", URI: "example.com:443", Path: "<nil>", Query: "<nil>", Minor: 1,
			ContentLength: -1, KeepAlive: true, Host: "example.com:443"}},
	{"CONNECT with Host", "CONNECT [::1]:443 HTTP/1.1|Host: x||",
		reqView{Method: "CONNECT", URI: "[::1]:443", Path: "<nil>", Query: "<nil>", Minor: 1, Headers: []string{"Host=x"},
			ContentLength: -1, KeepAlive: true, Host: "x"}},
	{"OPTIONS *", "OPTIONS * HTTP/1.1||",
		reqView{Method: "OPTIONS", URI: "*", Path: "*", Query: "<nil>", Minor: 1,
			ContentLength: -1, KeepAlive: true, Host: "<nil>"}},
	{"bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n",
		reqView{Method: "GET", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"Host=a"},
			ContentLength: -1, KeepAlive: true, Host: "a"}},
	{"leading empty lines skipped", "|\nGET / HTTP/1.1||",
		reqView{Method: "GET", URI: "/", Path: "/", Query: "<nil>", Minor: 1,
			ContentLength: -1, KeepAlive: true, Host: "<nil>"}},
	{"Expect 100-continue", "PUT / HTTP/1.1|Expect: 100-Continue|Content-Length: 1||",
		reqView{Method: "PUT", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"Expect=100-Continue", "Content-Length=1"},
			ContentLength: 1, KeepAlive: true, Expect100: true, Host: "<nil>"}},
	{"Expect ignored in HTTP/1.0", "PUT / HTTP/1.0|Expect: 100-continue||",
		reqView{Method: "PUT", URI: "/", Path: "/", Query: "<nil>", Headers: []string{"Expect=100-continue"},
			ContentLength: -1, Host: "<nil>"}},
	{"websocket upgrade", "GET /ws HTTP/1.1|Connection: keep-alive, Upgrade|Upgrade: websocket||",
		reqView{Method: "GET", URI: "/ws", Path: "/ws", Query: "<nil>", Minor: 1,
			Headers:       []string{"Connection=keep-alive, Upgrade", "Upgrade=websocket"},
			ContentLength: -1, KeepAlive: true, Upgrade: true, Host: "<nil>"}},
	{"Upgrade without Connection token", "GET / HTTP/1.1|Upgrade: websocket||",
		reqView{Method: "GET", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"Upgrade=websocket"},
			ContentLength: -1, KeepAlive: true, Host: "<nil>"}},
	{"empty query", "GET /? HTTP/1.1||",
		reqView{Method: "GET", URI: "/?", Path: "/", Query: "", Minor: 1, ContentLength: -1, KeepAlive: true, Host: "<nil>"}},
	{"HTTP/1.5 read as 1.1", "GET / HTTP/1.5||",
		reqView{Method: "GET", URI: "/", Path: "/", Query: "<nil>", Minor: 1, ContentLength: -1, KeepAlive: true, Host: "<nil>"}},
	{"OWS trimmed, empty value, odd bytes", "GET / HTTP/1.1|X-A: \t a b \t|X-B:|X-C: \x01caf\xc3\xa9||",
		reqView{Method: "GET", URI: "/", Path: "/", Query: "<nil>", Minor: 1, Headers: []string{"X-A=a b", "X-B=", "X-C=\x01caf\xc3\xa9"},
			ContentLength: -1, KeepAlive: true, Host: "<nil>"}},
	{"lower-case method is a token", "get / HTTP/1.1||",
		reqView{Method: "get", URI: "/", Path: "/", Query: "<nil>", Minor: 1, ContentLength: -1, KeepAlive: true, Host: "<nil>"}},
}

func TestParseRequestValid(t *testing.T) {
	for _, tt := range validRequests {
		t.Run(tt.name, func(t *testing.T) {
			in := crlf(tt.in)
			var r Request
			n, err := ParseRequest([]byte(in+"BODY"), &r, Limits{})
			if err != nil {
				t.Fatalf("ParseRequest(%q) error %v", in, err)
			}
			if n != len(in) {
				t.Errorf("n = %d, want %d", n, len(in))
			}
			want := tt.want
			want.HeadLen = len(in)
			if diff := cmp.Diff(want, viewRequest(&r)); diff != "" {
				t.Errorf("ParseRequest(%q) (-want +got):\n%s", in, diff)
			}
		})
	}
}

var invalidRequests = []struct {
	name string
	in   string
	want errCode
}{
	{"CL and TE", "POST / HTTP/1.1|Content-Length: 5|Transfer-Encoding: chunked||", errContentLengthAndTE},
	{"TE then CL", "POST / HTTP/1.1|Transfer-Encoding: chunked|Content-Length: 5||", errContentLengthAndTE},
	{"conflicting CL in one field", "POST / HTTP/1.1|Content-Length: 5, 6||", errConflictingContentLength},
	{"conflicting CL fields", "POST / HTTP/1.1|Content-Length: 5|Content-Length: 6||", errConflictingContentLength},
	{"CL not digits", "POST / HTTP/1.1|Content-Length: 5a||", errBadContentLength},
	{"CL negative", "POST / HTTP/1.1|Content-Length: -1||", errBadContentLength},
	{"CL plus sign", "POST / HTTP/1.1|Content-Length: +1||", errBadContentLength},
	{"CL empty", "POST / HTTP/1.1|Content-Length: ||", errBadContentLength},
	{"CL empty element", "POST / HTTP/1.1|Content-Length: 5,||", errBadContentLength},
	{"CL inner space", "POST / HTTP/1.1|Content-Length: 5 5||", errBadContentLength},
	{"CL overflow", "POST / HTTP/1.1|Content-Length: 9223372036854775808||", errBadContentLength},
	{"CL huge", "POST / HTTP/1.1|Content-Length: 99999999999999999999999||", errBadContentLength},
	{"TE gzip", "POST / HTTP/1.1|Transfer-Encoding: gzip||", errBadTransferEncoding},
	{"TE gzip, chunked", "POST / HTTP/1.1|Transfer-Encoding: gzip, chunked||", errBadTransferEncoding},
	{"TE chunked, chunked", "POST / HTTP/1.1|Transfer-Encoding: chunked, chunked||", errChunkedTwice},
	{"TE twice", "POST / HTTP/1.1|Transfer-Encoding: chunked|Transfer-Encoding: chunked||", errChunkedTwice},
	{"TE empty", "POST / HTTP/1.1|Transfer-Encoding:||", errBadTransferEncoding},
	{"TE trailing comma", "POST / HTTP/1.1|Transfer-Encoding: chunked,||", errBadTransferEncoding},
	{"TE identity", "POST / HTTP/1.1|Transfer-Encoding: identity||", errBadTransferEncoding},
	{"TE in HTTP/1.0", "POST / HTTP/1.0|Transfer-Encoding: chunked||", errTEInHTTP10},
	{"NUL in value", "GET / HTTP/1.1|X: a\x00b||", errNUL},
	{"NUL in name", "GET / HTTP/1.1|X\x00: a||", errBadHeaderName},
	{"NUL in URI", "GET /\x00 HTTP/1.1||", errBadURI},
	{"bare CR in value", "GET / HTTP/1.1|X: a\rb||", errBareCR},
	{"bare CR in request line", "GET /\r HTTP/1.1||", errBareCR},
	{"bare CR ends line", "GET / HTTP/1.1|X: a\r\r\n\r\n", errBareCR},
	{"bare CR before start", "\rGET / HTTP/1.1||", errBareCR},
	{"bare LF splits a value", "GET / HTTP/1.1|X: a\nb||", errBadHeaderName},
	{"space before colon", "GET / HTTP/1.1|Host : a||", errSpaceBeforeColon},
	{"fold before the first field", "GET / HTTP/1.1| X: a||", errObsFold},
	{"tab before colon", "GET / HTTP/1.1|Host\t: a||", errSpaceBeforeColon},
	{"no colon", "GET / HTTP/1.1|Host||", errBadHeaderName},
	{"space in name", "GET / HTTP/1.1|Ho st: a||", errBadHeaderName},
	{"bad char in name", "GET / HTTP/1.1|X(y): a||", errBadHeaderName},
	{"non-ASCII in name", "GET / HTTP/1.1|X\xc3\xa9: a||", errBadHeaderName},
	{"empty name", "GET / HTTP/1.1|: a||", errBadHeaderName},
	{"bad method char", "G(T / HTTP/1.1||", errBadMethod},
	{"tab after method", "GET\t/ HTTP/1.1||", errBadMethod},
	{"TLS hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03||", errBadMethod},
	{"empty method", " / HTTP/1.1||", errBadRequestLine},
	{"fuzz: space then bare CR", " \r0\n", errBadRequestLine},
	{"bare CR after method", "GET\r/ HTTP/1.1||", errBareCR},
	{"HTTP/0.9", "GET /||", errBadRequestLine},
	{"lone token", "GET||", errBadRequestLine},
	{"double space", "GET  / HTTP/1.1||", errBadRequestLine},
	{"space after version", "GET / HTTP/1.1 ||", errBadRequestLine},
	{"version missing", "GET / ||", errBadVersion},
	{"HTTP/2.0", "GET / HTTP/2.0||", errBadVersion},
	{"HTTP/0.9 version", "GET / HTTP/0.9||", errBadVersion},
	{"lower-case version", "GET / http/1.1||", errBadVersion},
	{"two-digit minor", "GET / HTTP/1.10||", errBadVersion},
	{"DEL in URI", "GET /\x7f HTTP/1.1||", errBadURI},
	{"non-ASCII in URI", "GET /caf\xc3\xa9 HTTP/1.1||", errBadURI},
	{"fragment in URI", "GET /a#b HTTP/1.1||", errBadURI},
	{"asterisk with GET", "GET * HTTP/1.1||", errBadURI},
	{"CONNECT origin-form", "CONNECT / HTTP/1.1||", errBadURI},
	{"CONNECT without port", "CONNECT example.com HTTP/1.1||", errBadURI},
	{"CONNECT bad port", "CONNECT example.com:x HTTP/1.1||", errBadURI},
	{"no scheme", "GET example.com/a HTTP/1.1||", errBadURI},
	{"scheme without //", "GET http:/a HTTP/1.1||", errBadURI},
	{"empty authority", "GET http:///a HTTP/1.1||", errBadURI},
	{"two Host", "GET / HTTP/1.1|Host: a|Host: a||", errMultipleHost},
	{"Host differs from authority", "GET http://a/ HTTP/1.1|Host: b||", errHostMismatch},
}

func TestParseRequestInvalid(t *testing.T) {
	for _, tt := range invalidRequests {
		t.Run(tt.name, func(t *testing.T) {
			in := crlf(tt.in)
			var r Request
			n, err := ParseRequest([]byte(in), &r, Limits{})
			want := &requestErrs[tt.want]
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseRequest(%q) = %d, %v; want %v", in, n, err, want)
			}
			if diff := cmp.Diff(*want, *pe); diff != "" {
				t.Errorf("ParseRequest(%q) error (-want +got):\n%s", in, diff)
			}
			if pe.Status != 400 || n != 0 {
				t.Errorf("status %d n %d, want 400 and 0", pe.Status, n)
			}
		})
	}
}

func TestParseRequestIncomplete(t *testing.T) {
	for _, in := range []string{"", "\r", "\r\n", "G", "GET", "GET / HTTP/1.1", "GET / HTTP/1.1\r",
		"GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r",
		"GET /\x00 HTTP/1.1", // the URI is judged once its line is complete
	} {
		var r Request
		if n, err := ParseRequest([]byte(in), &r, Limits{}); n != 0 || err != ErrIncomplete {
			t.Errorf("ParseRequest(%q) = %d, %v; want 0, ErrIncomplete", in, n, err)
		}
	}
}

func TestRequestLimits(t *testing.T) {
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("GET / HTTP/1.1\r\n")
		for i := range n {
			b.WriteString("X-" + strconv.Itoa(i) + ": v\r\n")
		}
		return b.String() + "\r\n"
	}
	big := "GET /" + strings.Repeat("a", 15360-len("GET / HTTP/1.1\r\n\r\n")) + " HTTP/1.1\r\n\r\n"
	tests := []struct {
		name string
		in   string
		lim  Limits
		want error
	}{
		{"100 header lines fit the default", many(100), Limits{}, nil},
		{"101 header lines do not", many(101), Limits{}, errTooManyHeaders.request()},
		{"MaxHeaders counts the start line", many(3), Limits{MaxHeaders: 3}, errTooManyHeaders.request()},
		{"head of exactly the limit", big, Limits{}, nil},
		{"head one byte over", big[:5] + "a" + big[5:], Limits{}, errTooLarge.request()},
		{"incomplete head at the limit", strings.Repeat("GET / HTTP/1.1\r\nX: v\r\n", 1000), Limits{}, errTooLarge.request()},
		{"custom MaxHeadBytes", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{MaxHeadBytes: 26}, errTooLarge.request()},
		{"custom limit fits", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{MaxHeadBytes: 27}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			_, err := ParseRequest([]byte(tt.in+"GET"), &r, tt.lim)
			if err != tt.want {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestParseRequestIncremental feeds every row byte by byte: the first answer
// that is not ErrIncomplete must equal the answer for the whole buffer.
func TestParseRequestIncremental(t *testing.T) {
	var ins []string
	for _, tt := range validRequests {
		ins = append(ins, crlf(tt.in))
	}
	for _, tt := range invalidRequests {
		ins = append(ins, crlf(tt.in))
	}
	for _, in := range ins {
		if diff := cmp.Diff(requestOutcome([]byte(in), Limits{}), incrementalRequest([]byte(in), Limits{})); diff != "" {
			t.Errorf("%q: (-whole +incremental):\n%s", in, diff)
		}
	}
}

// requestOutcome is what a parse yields, comparable with cmp.
type outcome struct {
	N    int
	Err  string
	View any
}

func requestOutcome(b []byte, lim Limits) outcome {
	var r Request
	n, err := ParseRequest(b, &r, lim)
	if err != nil {
		return outcome{N: n, Err: err.Error()}
	}
	return outcome{N: n, View: viewRequest(&r)}
}

func incrementalRequest(b []byte, lim Limits) outcome {
	for i := 0; i <= len(b); i++ {
		o := requestOutcome(b[:i], lim)
		if o.Err != ErrIncomplete.Error() {
			return o
		}
	}
	return outcome{Err: ErrIncomplete.Error()}
}

func TestRequestReuse(t *testing.T) {
	var r Request
	if _, err := ParseRequest([]byte(crlf("POST /a HTTP/1.1|Content-Length: 3|Host: x|A: 1||")), &r, Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRequest([]byte(crlf("GET /b HTTP/1.0||")), &r, Limits{}); err != nil {
		t.Fatal(err)
	}
	want := reqView{Method: "GET", URI: "/b", Path: "/b", Query: "<nil>", ContentLength: -1, Host: "<nil>", HeadLen: 19}
	if diff := cmp.Diff(want, viewRequest(&r)); diff != "" {
		t.Errorf("second parse (-want +got):\n%s", diff)
	}
}

func TestRequestBodyMode(t *testing.T) {
	tests := []struct {
		in   string
		want BodyMode
	}{
		{"GET / HTTP/1.1||", BodyNone},
		{"POST / HTTP/1.1|Content-Length: 0||", BodyNone},
		{"POST / HTTP/1.1|Content-Length: 7||", BodyLength},
		{"POST / HTTP/1.1|Transfer-Encoding: chunked||", BodyChunked},
	}
	for _, tt := range tests {
		var r Request
		if _, err := ParseRequest([]byte(crlf(tt.in)), &r, Limits{}); err != nil {
			t.Fatal(err)
		}
		if got := r.BodyMode(); got != tt.want {
			t.Errorf("%q: BodyMode = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestObsFoldUnfolded: HAProxy 2.6 unfolds obs-fold into spaces in place;
// the differential test against haproxy shows the server receiving "a   b".
func TestObsFoldUnfolded(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"GET / HTTP/1.1|X: a| b|Y: c||", "X=a   b"},
		{"GET / HTTP/1.1|X: a|\tb|\t c|Y: c||", "X=a  \tb  \t c"},
		{"GET / HTTP/1.1\nX: a\n b\nY: c\n\n", "X=a  b"},
	} {
		b := []byte(crlf(tc.in))
		var r Request
		n, err := ParseRequest(b, &r, DefaultLimits)
		if err != nil || n != len(b) {
			t.Errorf("%q: n=%d err=%v", tc.in, n, err)
			continue
		}
		if got := headerStrings(r.Headers); got[0] != tc.want || got[1] != "Y=c" {
			t.Errorf("%q: headers %q, want %q then Y=c", tc.in, got, tc.want)
		}
		var again Request
		if _, err := ParseRequest(b[:n], &again, DefaultLimits); err != nil {
			t.Errorf("%q: the unfolded head does not parse again: %v", tc.in, err)
		}
	}
	var resp Response
	b := []byte(crlf("HTTP/1.1 200 OK|X: a| b|Content-Length: 0||"))
	if _, err := ParseResponse(b, &resp, DefaultLimits); err != nil || string(resp.Headers[0].Value) != "a   b" {
		t.Errorf("response fold: %v %q", err, resp.Headers)
	}
}
