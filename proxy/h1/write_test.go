package h1

import "testing"

func TestAppend(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"request line 1.1", AppendRequestLine([]byte("x"), []byte("GET"), []byte("/a?b"), 1), "xGET /a?b HTTP/1.1\r\n"},
		{"request line 1.0", AppendRequestLine(nil, []byte("POST"), []byte("/"), 0), "POST / HTTP/1.0\r\n"},
		{"status line", AppendStatusLine(nil, 1, 503, []byte(StatusText(503))), "HTTP/1.1 503 Service Unavailable\r\n"},
		{"status line empty reason", AppendStatusLine(nil, 0, 200, nil), "HTTP/1.0 200 \r\n"},
		{"header", AppendHeader(nil, []byte("Set-Cookie"), []byte("HA_STICKY_ms1=ms1.srv1; path=/")), "Set-Cookie: HA_STICKY_ms1=ms1.srv1; path=/\r\n"},
		{"head", AppendHead(nil, []Header{{[]byte("A"), []byte("1")}, {[]byte("B"), nil}}), "A: 1\r\nB: \r\n\r\n"},
		{"empty head", AppendHead(nil, nil), "\r\n"},
		{"chunk size", AppendChunkSize(nil, 0x1a2b), "1a2b\r\n"},
		{"last chunk", AppendChunkSize(nil, 0), "0\r\n"},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestAppendRoundTrip(t *testing.T) {
	b := AppendStatusLine(nil, 1, 404, []byte("Not Found"))
	b = AppendHead(b, []Header{{[]byte("Content-Length"), []byte("0")}})
	var r Response
	if n, err := ParseResponse(b, &r, Limits{}); err != nil || n != len(b) || r.Status != 404 || r.ContentLength != 0 {
		t.Errorf("ParseResponse(%q) = %d, %v, %+v", b, n, err, r)
	}
}

func TestStatusText(t *testing.T) {
	for code, want := range map[int]string{200: "OK", 400: "Bad Request", 403: "Forbidden", 408: "Request Timeout",
		502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout", 599: "", 0: ""} {
		if got := StatusText(code); got != want {
			t.Errorf("StatusText(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestAppendAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		b := AppendStatusLine(buf[:0], 1, 200, []byte("OK"))
		b = AppendHeader(b, []byte("Content-Length"), []byte("10"))
		_ = AppendChunkSize(b, 4096)
	})
	if allocs != 0 {
		t.Errorf("%v allocs, want 0", allocs)
	}
}
