package h1

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scanResult is what ChunkedScanner says about a whole input.
type scanResult struct {
	N    int
	Done bool
	Err  string
}

func scanAll(b []byte) scanResult {
	var s ChunkedScanner
	n, done, err := s.Scan(b)
	r := scanResult{N: n, Done: done}
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

// scanBytewise feeds b one byte at a time and adds up the answers.
func scanBytewise(b []byte) scanResult {
	var s ChunkedScanner
	var r scanResult
	for i := range b {
		n, done, err := s.Scan(b[i : i+1])
		r.N += n
		if err != nil {
			r.Err = err.Error()
			return r
		}
		if done {
			r.Done = true
			return r
		}
	}
	return r
}

var chunkedRows = []struct {
	name string
	in   string
	want scanResult // N counts bytes consumed
}{
	{"one chunk", "5|hello|0||", scanResult{N: 15, Done: true}},
	{"next message left", "5|hello|0||GET", scanResult{N: 15, Done: true}},
	{"two chunks, upper-case hex", "A|0123456789|3|abc|0||", scanResult{N: 28, Done: true}},
	{"leading zeros", "0005|hello|000||", scanResult{N: 20, Done: true}},
	{"extensions", "5;name=val;q=\"x y\"|hello|0;last||", scanResult{N: 37, Done: true}},
	{"blank before extension", "5 ; e|hello|0||", scanResult{N: 19, Done: true}},
	{"blank before CRLF", "5\t|hello|0||", scanResult{N: 16, Done: true}},
	{"trailers", "1|x|0|Expires: never|X-Sum: 12||", scanResult{N: 38, Done: true}},
	{"empty body", "0||", scanResult{N: 5, Done: true}},
	{"incomplete data", "5|hel", scanResult{N: 6}},
	{"incomplete trailers", "0|X: y|", scanResult{N: 9}},
	{"largest size", "4000000000000000|", scanResult{N: 18}},
	{"size overflow", "4000000000000001|", scanResult{N: 15, Err: "h1: chunk size too large"}},
	{"size 64-bit wrap", "10000000000000000|", scanResult{N: 16, Err: "h1: chunk size too large"}},
	{"bad hex", "g|", scanResult{N: 0, Err: "h1: invalid chunk size"}},
	{"negative", "-1|", scanResult{N: 0, Err: "h1: invalid chunk size"}},
	{"hex prefix", "0x5|hello|0||", scanResult{N: 1, Err: "h1: invalid chunk size"}},
	{"empty size", "|", scanResult{N: 0, Err: "h1: invalid chunk size"}},
	{"blank before size", " 5|hello|0||", scanResult{N: 0, Err: "h1: invalid chunk size"}},
	{"blank inside size", "5 5|", scanResult{N: 2, Err: "h1: invalid chunk size"}},
	{"bare LF after size", "5\nhello|0||", scanResult{N: 1, Err: "h1: missing CRLF in chunked framing"}},
	{"bare CR after size", "5\rhello|0||", scanResult{N: 2, Err: "h1: missing CRLF in chunked framing"}},
	{"bare LF after extension", "5;a\nhello", scanResult{N: 3, Err: "h1: missing CRLF in chunked framing"}},
	{"NUL in extension", "5;a\x00|hello", scanResult{N: 3, Err: "h1: invalid chunk extension"}},
	{"data longer than size", "5|hello!|0||", scanResult{N: 8, Err: "h1: missing CRLF in chunked framing"}},
	{"bare LF after data", "5|hello\n0||", scanResult{N: 8, Err: "h1: missing CRLF in chunked framing"}},
	{"CR without LF after data", "5|hello\r0||", scanResult{N: 9, Err: "h1: missing CRLF in chunked framing"}},
	{"bare LF ends body", "0|\n", scanResult{N: 3, Err: "h1: missing CRLF in chunked framing"}},
	{"bare CR ends body", "0|\rX", scanResult{N: 4, Err: "h1: missing CRLF in chunked framing"}},
	{"bare LF after trailer", "0|X: y\n|", scanResult{N: 7, Err: "h1: missing CRLF in chunked framing"}},
	{"NUL in trailer", "0|X: \x00||", scanResult{N: 6, Err: "h1: invalid trailer field"}},
	{"folded trailer", "0|X: y| z||", scanResult{N: 9, Err: "h1: invalid trailer field"}},
	{"trailer without colon", "0|X y||", scanResult{N: 4, Err: "h1: invalid trailer field"}},
	{"trailer with empty name", "0|: y||", scanResult{N: 3, Err: "h1: invalid trailer field"}},
	{"long size line", "1;" + strings.Repeat("e", maxChunkLine) + "|", scanResult{N: maxChunkLine, Err: "h1: chunk size line too long"}},
	{"large trailers", "0|X: " + strings.Repeat("v", maxTrailerBytes) + "|", scanResult{N: 3 + maxTrailerBytes, Err: "h1: trailer section too large"}},
}

func TestChunkedScanner(t *testing.T) {
	for _, tt := range chunkedRows {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(crlf(tt.in))
			if diff := cmp.Diff(tt.want, scanAll(in)); diff != "" {
				t.Errorf("Scan(%.40q) (-want +got):\n%s", in, diff)
			}
			if diff := cmp.Diff(scanAll(in), scanBytewise(in)); diff != "" {
				t.Errorf("byte by byte (-whole +bytewise):\n%s", diff)
			}
		})
	}
}

func TestChunkedScannerAfterDone(t *testing.T) {
	var s ChunkedScanner
	if _, done, err := s.Scan([]byte(crlf("0||"))); !done || err != nil {
		t.Fatalf("done %v err %v", done, err)
	}
	if n, done, err := s.Scan([]byte("GET")); n != 0 || !done || err != nil || !s.Done() {
		t.Errorf("after done: %d %v %v", n, done, err)
	}
	s.Reset()
	if s.Done() {
		t.Error("Reset kept done")
	}
	if n, done, err := s.Scan([]byte(crlf("1|a|0||"))); n != 11 || !done || err != nil {
		t.Errorf("after Reset: %d %v %v", n, done, err)
	}
}

func TestChunkedErrorStatus(t *testing.T) {
	var s ChunkedScanner
	_, _, err := s.Scan([]byte("z"))
	pe, ok := err.(*ParseError)
	if !ok || pe.Status != 400 {
		t.Errorf("err = %#v, want a *ParseError with Status 400", err)
	}
}
