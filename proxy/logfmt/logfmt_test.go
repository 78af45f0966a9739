package logfmt

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var date = time.Date(2026, time.November, 25, 11, 19, 24, 123_456_789, time.UTC)

func TestHTTPLogAppendTo(t *testing.T) {
	base := func() HTTPLog {
		return HTTPLog{
			Client: netip.MustParseAddrPort("10.0.1.2:33317"), Date: date,
			Frontend: "http-in", Backend: "static", Server: "srv1",
			TR: 10, Tw: 0, Tc: 30, Tr: 69, Ta: 109, Status: 200, BytesRead: 2750,
			TermState: [4]byte{'-', '-', '-', '-'}, ActConn: 1, FeConn: 1, BeConn: 1, SrvConn: 1,
			Method: "GET", URI: "/index.html", Version: "HTTP/1.1",
		}
	}
	tests := []struct {
		name string
		edit func(*HTTPLog)
		want string
	}{
		{"haproxy manual example", func(*HTTPLog) {},
			`10.0.1.2:33317 [25/Nov/2026:11:19:24.123] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"`},
		{"no server, timers not reached, zero state bytes", func(l *HTTPLog) {
			l.Server, l.Tw, l.Tc, l.Tr, l.Status, l.TermState = "", -1, -1, -1, 503, [4]byte{'S', 'C'}
		}, `10.0.1.2:33317 [25/Nov/2026:11:19:24.123] http-in static/<NOSRV> 10/-1/-1/-1/109 503 2750 - - SC-- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"`},
		{"bad request without backend", func(l *HTTPLog) {
			l.Backend, l.Server, l.Method, l.URI, l.Version, l.Status = "", "", "", "", "", 400
		}, `10.0.1.2:33317 [25/Nov/2026:11:19:24.123] http-in http-in/<NOSRV> 10/0/30/69/109 400 2750 - - ---- 1/1/1/1/0 0/0 "<BADREQ>"`},
		{"tls frontend, ipv6 client, redispatch, queues", func(l *HTTPLog) {
			l.TLS, l.Client, l.Retries, l.Redispatched, l.SrvQueue, l.BackendQueue = true, netip.MustParseAddrPort("[2001:db8::1]:443"), 3, true, 2, 7
		}, `2001:db8::1:443 [25/Nov/2026:11:19:24.123] http-in~ static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/+3 2/7 "GET /index.html HTTP/1.1"`},
		{"ipv4-mapped client written as ipv4", func(l *HTTPLog) {
			l.Client = netip.MustParseAddrPort("[::ffff:127.0.0.1]:80")
		}, `127.0.0.1:80 [25/Nov/2026:11:19:24.123] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"`},
		{"captures and cookies", func(l *HTTPLog) {
			l.ReqHeaders, l.RespHeaders, l.ReqCookie, l.RespCookie = []string{"1wt.eu", "a|b{c}"}, []string{}, "SID=1", "SID=2"
			l.TermState = [4]byte{'-', '-', 'N', 'I'}
		}, `10.0.1.2:33317 [25/Nov/2026:11:19:24.123] http-in static/srv1 10/0/30/69/109 200 2750 SID=1 SID=2 --NI 1/1/1/1/0 0/0 {1wt.eu|a#7Cb#7Bc#7D} {} "GET /index.html HTTP/1.1"`},
		{"request line escaping", func(l *HTTPLog) {
			l.URI = "/a\"b#c\x01\x7f\xc3\xa9 d"
		}, `10.0.1.2:33317 [25/Nov/2026:11:19:24.123] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /a#22b#23c#01#7F#C3#A9 d HTTP/1.1"`},
		{"no status, invalid client", func(l *HTTPLog) {
			l.Status, l.Client = 0, netip.AddrPort{}
		}, `-:- [25/Nov/2026:11:19:24.123] http-in static/srv1 10/0/30/69/109 -1 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"`},
		{"date padding", func(l *HTTPLog) {
			l.Date = time.Date(2026, time.January, 2, 3, 4, 5, 6_000_000, time.UTC)
		}, `10.0.1.2:33317 [02/Jan/2026:03:04:05.006] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := base()
			tc.edit(&l)
			if diff := cmp.Diff(tc.want, string(l.AppendTo(nil))); diff != "" {
				t.Errorf("AppendTo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCLF(t *testing.T) {
	l := HTTPLog{
		Client: netip.MustParseAddrPort("10.0.1.2:33317"), Date: time.Date(2026, time.November, 25, 12, 19, 24, 7_000_000, time.FixedZone("CET", 3600)),
		Frontend: "http-in", Backend: "static", Server: "srv1", TR: 10, Tw: 0, Tc: 30, Tr: 69, Ta: 109,
		Status: 200, BytesRead: 2750, TermState: [4]byte{'-', '-', 'N', 'I'}, ActConn: 1, FeConn: 1, BeConn: 1, SrvConn: 1,
		Method: "GET", URI: "/", Version: "HTTP/1.1",
	}
	tests := []struct {
		name     string
		req, rsp []string
		want     string
	}{
		{"no captures", nil, nil, `10.0.1.2 - - [25/Nov/2026:11:19:24 +0000] "GET / HTTP/1.1" 200 2750 "" "" 33317 007 "http-in" "static" "srv1" 10 0 30 69 109 --NI 1 1 1 1 0 0 0 "" "" `},
		{"request captures", []string{"h1", "h2"}, nil, `10.0.1.2 - - [25/Nov/2026:11:19:24 +0000] "GET / HTTP/1.1" 200 2750 "" "" 33317 007 "http-in" "static" "srv1" 10 0 30 69 109 --NI 1 1 1 1 0 0 0 "" "" "h1" "h2" `},
		{"both captures", []string{"h1"}, []string{"r1"}, `10.0.1.2 - - [25/Nov/2026:11:19:24 +0000] "GET / HTTP/1.1" 200 2750 "" "" 33317 007 "http-in" "static" "srv1" 10 0 30 69 109 --NI 1 1 1 1 0 0 0 "" "" "h1" "r1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := l
			l.ReqHeaders, l.RespHeaders = tc.req, tc.rsp
			if diff := cmp.Diff(tc.want, string(l.AppendCLF(nil))); diff != "" {
				t.Errorf("AppendCLF (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTCPLogAppendTo(t *testing.T) {
	l := TCPLog{Client: netip.MustParseAddrPort("127.0.0.1:57964"), Accept: date, Frontend: "tcp-in", Server: "def.srv1",
		Tw: 1, Tc: 0, Tt: 1, BytesRead: 1202, TermState: [2]byte{'-', '-'}, ActConn: 1, FeConn: 1}
	got := string(l.AppendTo(nil))
	want := `127.0.0.1:57964 [25/Nov/2026:11:19:24.123] tcp-in tcp-in/def.srv1 1/0/1 1202 -- 1/1/0/0/0 0/0`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AppendTo (-want +got):\n%s", diff)
	}
	l = TCPLog{Accept: date, Frontend: "tcp-in", Tw: -1, Tc: -1, Tt: 3, TermState: [2]byte{'S', 'C'}, Redispatched: true, Retries: 1}
	want = `-:- [25/Nov/2026:11:19:24.123] tcp-in tcp-in/<NOSRV> -1/-1/3 0 SC 0/0/0/0/+1 0/0`
	if diff := cmp.Diff(want, string(l.AppendTo(nil))); diff != "" {
		t.Errorf("AppendTo (-want +got):\n%s", diff)
	}
}

func TestMs(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int64
	}{{-1, -1}, {0, 0}, {999 * time.Microsecond, 0}, {1500 * time.Microsecond, 1}, {2 * time.Second, 2000}} {
		if got := Ms(tc.d); got != tc.want {
			t.Errorf("Ms(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

func TestAppendToDoesNotAllocate(t *testing.T) {
	l := HTTPLog{Client: netip.MustParseAddrPort("10.0.1.2:33317"), Date: date, Frontend: "fe", Backend: "be", Server: "s",
		Method: "GET", URI: "/x", Version: "HTTP/1.1", ReqHeaders: []string{"a"}}
	tl := TCPLog{Client: l.Client, Accept: date, Frontend: "fe"}
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(100, func() {
		buf = l.AppendTo(buf[:0])
		buf = l.AppendCLF(buf[:0])
		buf = tl.AppendTo(buf[:0])
	}); n != 0 {
		t.Errorf("AppendTo allocates %v times per run, want 0", n)
	}
}

// FuzzHTTPLog checks that whatever the client sends, the line stays one
// line with the request in exactly one pair of quotes.
func FuzzHTTPLog(f *testing.F) {
	f.Add("GET", "/index.html", "HTTP/1.1", "host")
	f.Add("", "", "", "")
	f.Add("G\"ET", "/\r\n\"#", "HTTP/1.1\x00", "a|b}")
	f.Add("0", "0", "}", "0") // crasher of the test itself: braces in %r are not escaped
	f.Fuzz(func(t *testing.T, method, uri, version, hdr string) {
		l := HTTPLog{Client: netip.MustParseAddrPort("127.0.0.1:1"), Date: date, Frontend: "fe",
			Method: method, URI: uri, Version: version, ReqHeaders: []string{hdr}}
		for _, line := range [][]byte{l.AppendTo(nil), l.AppendCLF(nil)} {
			for _, c := range line {
				if c < 32 || c >= 127 {
					t.Fatalf("unescaped byte %#x in %q", c, line)
				}
			}
		}
		line := l.AppendTo(nil)
		if n := bytes.Count(line, []byte(`"`)); n != 2 {
			t.Fatalf("%d quotes in %q, want 2", n, line)
		}
		head, _, _ := bytes.Cut(line, []byte(` "`))
		if bytes.Count(head, []byte("{")) != 1 || bytes.Count(head, []byte("}")) != 1 {
			t.Fatalf("capture braces not balanced in %q", line)
		}
	})
}

func BenchmarkHTTPLogAppendTo(b *testing.B) {
	l := HTTPLog{Client: netip.MustParseAddrPort("10.0.1.2:33317"), Date: date, Frontend: "http-in", Backend: "ms1", Server: "ms1.srv1",
		TR: 0, Tw: 0, Tc: 1, Tr: 3, Ta: 4, Status: 200, BytesRead: 1234, TermState: [4]byte{'-', '-', 'N', 'I'},
		ActConn: 10, FeConn: 10, BeConn: 5, SrvConn: 2, Method: "GET", URI: "/ms1/index.html?x=1", Version: "HTTP/1.1"}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = l.AppendTo(buf[:0])
	}
}

func BenchmarkTCPLogAppendTo(b *testing.B) {
	l := TCPLog{Client: netip.MustParseAddrPort("10.0.1.2:33317"), Accept: date, Frontend: "tcp-in", Server: "def.srv1",
		Tt: 1000, BytesRead: 123456, TermState: [2]byte{'-', '-'}}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = l.AppendTo(buf[:0])
	}
}
