package h1

import (
	"bytes"
	"testing"
)

// A typical browser request: 8 header fields, about 500 bytes.
var browserRequest = []byte("GET /ms1/static/app.js?v=42 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: HA_STICKY_ms1=ms1.srv1; session=8f14e45fceea167a5a36dedd4bea2543\r\n" +
	"Referer: https://www.example.com/ms1/\r\n" +
	"\r\n")

var typicalResponse = []byte("HTTP/1.1 200 OK\r\n" +
	"Date: Mon, 06 Jan 2025 10:00:00 GMT\r\n" +
	"Server: nginx\r\n" +
	"Content-Type: application/javascript; charset=utf-8\r\n" +
	"Content-Length: 48213\r\n" +
	"Connection: keep-alive\r\n" +
	"Cache-Control: private\r\n" +
	"Set-Cookie: HA_STICKY_ms1=ms1.srv1; path=/\r\n" +
	"ETag: \"5f3a-48213\"\r\n" +
	"\r\n")

func BenchmarkParseRequest(b *testing.B) {
	r := Request{Headers: make([]Header, 0, defaultMaxHeaders)}
	b.SetBytes(int64(len(browserRequest)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequest(browserRequest, &r, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRequestTrickle parses a head that arrives 16 bytes at a time.
func BenchmarkParseRequestTrickle(b *testing.B) {
	r := Request{Headers: make([]Header, 0, defaultMaxHeaders)}
	b.SetBytes(int64(len(browserRequest)))
	b.ReportAllocs()
	for b.Loop() {
		for i := 16; ; i += 16 {
			if i > len(browserRequest) {
				i = len(browserRequest)
			}
			if _, err := ParseRequest(browserRequest[:i], &r, Limits{}); err != ErrIncomplete {
				break
			}
		}
	}
}

func BenchmarkParseResponse(b *testing.B) {
	r := Response{Headers: make([]Header, 0, defaultMaxHeaders)}
	b.SetBytes(int64(len(typicalResponse)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResponse(typicalResponse, &r, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRequestError(b *testing.B) {
	var r Request
	bad := []byte("GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequest(bad, &r, Limits{}); err == nil {
			b.Fatal("no error")
		}
	}
}

func BenchmarkChunkedScanner(b *testing.B) {
	var body []byte
	chunk := bytes.Repeat([]byte("x"), 4096)
	for range 16 {
		body = AppendChunkSize(body, len(chunk))
		body = append(body, chunk...)
		body = append(body, "\r\n"...)
	}
	body = append(body, "0\r\nX-Checksum: 1234\r\n\r\n"...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var s ChunkedScanner
		// Feed it in 1500-byte reads, as from a socket.
		for p := 0; p < len(body); {
			end := min(p+1500, len(body))
			n, done, err := s.Scan(body[p:end])
			if err != nil {
				b.Fatal(err)
			}
			p += n
			if done {
				break
			}
		}
	}
}

func BenchmarkAppendHead(b *testing.B) {
	var r Request
	if _, err := ParseRequest(browserRequest, &r, Limits{}); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		out := AppendRequestLine(buf[:0], r.Method, r.URI, r.Minor)
		_ = AppendHead(out, r.Headers)
	}
}

func TestParseAllocs(t *testing.T) {
	var r Request
	var s Response
	var c ChunkedScanner
	chunked := []byte("5\r\nhello\r\n0\r\n\r\n")
	bad := []byte("GET / HTTP/1.1\r\nX : y\r\n\r\n")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseRequest(browserRequest, &r, Limits{}); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseResponse(typicalResponse, &s, Limits{}); err != nil {
			t.Fatal(err)
		}
		c.Reset()
		if _, done, err := c.Scan(chunked); !done || err != nil {
			t.Fatal(err)
		}
		_, _ = ParseRequest(bad, &r, Limits{})
	})
	if allocs != 0 {
		t.Errorf("%v allocs per run, want 0", allocs)
	}
}
