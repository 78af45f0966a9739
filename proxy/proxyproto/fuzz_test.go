package proxyproto

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// FuzzParse checks that Parse never panics, never claims more bytes than
// it got, is prefix-stable (a header parsed from b parses the same from b
// plus more bytes, and every shorter prefix is incomplete), and that a
// decoded address pair encodes back to a header that decodes the same.
func FuzzParse(f *testing.F) {
	src, dst := netip.MustParseAddrPort("198.18.0.50:40000"), netip.MustParseAddrPort("[2001:db8::1]:9002")
	f.Add([]byte("PROXY TCP4 198.18.0.50 198.18.0.100 40000 9002\r\n"))
	f.Add([]byte("PROXY TCP6 ::1 ::1 49654 27003\r\nGET / HTTP/1.1\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add(AppendV2(nil, src, dst))
	f.Add(AppendV2(nil, netip.AddrPort{}, netip.AddrPort{}))
	f.Add([]byte(v2Sig + "\x21\x11\x00\x10\xc6\x12\x00\x32\xc6\x12\x00\x64\x9c\x40\x23\x2a\x04\x00\x01\x00"))
	f.Add([]byte(v2Sig + "\x21\x31\x00\xd8"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := Parse(b)
		if err != nil {
			if errors.Is(err, ErrIncomplete) && len(b) >= MaxHeaderLen {
				t.Fatalf("incomplete after %d bytes", len(b))
			}
			return
		}
		if n <= 0 || n > len(b) {
			t.Fatalf("n = %d for %d bytes", n, len(b))
		}
		h2, n2, err := Parse(append(append([]byte{}, b[:n]...), "trailing"...))
		if err != nil || n2 != n || h2.Src != h.Src || h2.Dst != h.Dst || !bytes.Equal(h2.TLV, h.TLV) {
			t.Fatalf("not prefix stable: %v %d %v", err, n2, h2)
		}
		for i := 0; i < n; i++ {
			if _, _, err := Parse(b[:i]); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("prefix of %d bytes: %v, want incomplete", i, err)
			}
		}
		if !h.Known() {
			return
		}
		for _, v := range []int{1, 2} {
			out := (&Header{Version: v, Command: Proxy, Src: h.Src, Dst: h.Dst}).Append(nil)
			h3, n3, err := Parse(out)
			if err != nil || n3 != len(out) || h3.Src != h.Src || h3.Dst != h.Dst {
				t.Fatalf("v%d re-encode of %v->%v: %q %v %v", v, h.Src, h.Dst, out, h3, err)
			}
		}
	})
}
