package proxyproto

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// chunkReader returns its chunks one Read at a time, then EOF.
type chunkReader struct{ chunks [][]byte }

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	if r.chunks[0] = r.chunks[0][n:]; len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

func TestRead(t *testing.T) {
	src, dst := netip.MustParseAddrPort("198.18.0.50:40000"), netip.MustParseAddrPort("198.18.0.100:9002")
	v1 := AppendV1(nil, src, dst)
	v2 := AppendV2(nil, src, dst)
	big := append([]byte(v2Sig), 0x21, 0x11, byte((12+768)>>8), byte((12+768)&0xff))
	big = append(big, v2[16:28]...) // the addresses, then 256 empty TLVs
	for i := 0; i < 256; i++ {
		big = append(big, 0x04, 0x00, 0x00)
	}
	tests := []struct {
		name   string
		chunks []string
		rest   string
		err    string
	}{
		{"v1 with data", []string{string(v1) + "EHLO x\r\n"}, "EHLO x\r\n", ""},
		{"v1 byte by byte: stops at the header", split(string(v1) + "A"), "", ""},
		{"v1 then server speaks first", []string{string(v1)}, "", ""},
		{"v2 with data", []string{string(v2) + "hello"}, "hello", ""},
		{"v2 in pieces", []string{string(v2[:5]), string(v2[5:20]), string(v2[20:]) + "x", "y"}, "x", ""},
		{"v2 larger than first buffer", []string{string(big) + "z"}, "z", ""},
		{"eof before header", nil, "", "EOF"},
		{"eof inside header", []string{string(v1[:10])}, "", "unexpected EOF"},
		{"not proxy", []string{"GET / HTTP/1.1\r\n\r\n"}, "", "not proxy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &chunkReader{}
			for _, c := range tc.chunks {
				r.chunks = append(r.chunks, []byte(c))
			}
			h, rest, err := Read(r)
			got := errKind(err)
			if errors.Is(err, io.EOF) {
				got = "EOF"
			} else if errors.Is(err, io.ErrUnexpectedEOF) {
				got = "unexpected EOF"
			}
			if diff := cmp.Diff(tc.err, got); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			if h.Src != src || h.Dst != dst {
				t.Errorf("addresses %v -> %v", h.Src, h.Dst)
			}
			if diff := cmp.Diff(tc.rest, string(rest)); diff != "" {
				t.Errorf("rest (-want +got):\n%s", diff)
			}
		})
	}
}

func split(s string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i : i+1]
	}
	return out
}

// TestConnOverTCP sends a header and data on a real loopback connection
// and checks that nothing after the header is lost and the addresses are
// the header's.
func TestConnOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	src, dst := netip.MustParseAddrPort("198.18.0.50:40000"), netip.MustParseAddrPort("198.18.0.100:9002")
	errc := make(chan error, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			errc <- err
			return
		}
		defer c.Close()
		// The header and the first bytes in one segment, then more.
		_, err = c.Write(append(AppendV2(nil, src, dst), "first "...))
		if err == nil {
			_, err = c.Write([]byte("second"))
		}
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		errc <- err
	}()
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	c, err := NewConn(raw, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("first second", string(got)); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(src.String(), c.RemoteAddr().String()); diff != "" {
		t.Errorf("RemoteAddr (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(dst.String(), c.LocalAddr().String()); diff != "" {
		t.Errorf("LocalAddr (-want +got):\n%s", diff)
	}
	if c.NetConn() != raw {
		t.Error("NetConn is not the accepted connection")
	}
}

func TestConnBufferedAndLocal(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go func() { _, _ = a.Write([]byte(v2Sig + "\x20\x00\x00\x00abc")) }()
	c, err := NewConn(b, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.Header().Known() {
		t.Error("LOCAL header reports addresses")
	}
	if c.RemoteAddr() != b.RemoteAddr() || c.LocalAddr() != b.LocalAddr() {
		t.Error("LOCAL header must keep the connection's addresses")
	}
	if diff := cmp.Diff("abc", string(c.Buffered())); diff != "" {
		t.Errorf("Buffered (-want +got):\n%s", diff)
	}
	if c.Buffered() != nil {
		t.Error("Buffered returned bytes twice")
	}
}

func TestNewConnTimeout(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	_, err := NewConn(b, 20*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}
