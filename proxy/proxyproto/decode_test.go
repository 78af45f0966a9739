package proxyproto

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// errKind names an outcome of Parse for table comparison.
func errKind(err error) string {
	var fe *FormatError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrIncomplete):
		return "incomplete"
	case errors.Is(err, ErrNotProxy):
		return "not proxy"
	case errors.Is(err, ErrTooLarge):
		return "too large"
	case errors.As(err, &fe):
		return "format"
	}
	return err.Error()
}

var cmpHeader = cmp.Options{cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }), cmpopts.EquateEmpty()}

func TestParseHAProxyVectors(t *testing.T) {
	for _, tc := range haproxyVectors {
		t.Run(tc.name, func(t *testing.T) {
			b := unhex(t, tc.want)
			in := append(append([]byte{}, b...), "hello"...)
			h, n, err := Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			want := Header{Version: 1, Command: Proxy, Src: tc.src, Dst: tc.dst, Transport: 1}
			if tc.v2 {
				want.Version = 2
			}
			if diff := cmp.Diff(want, h, cmpHeader); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if n != len(b) {
				t.Errorf("n = %d, want %d", n, len(b))
			}
		})
	}
}

func TestParse(t *testing.T) {
	v2 := func(verCmd, fam byte, body string) string {
		b := unhex(t, body)
		return v2Sig + string([]byte{verCmd, fam, byte(len(b) >> 8), byte(len(b))}) + string(b)
	}
	ip4body := "c6120032c61200649c40232a" // 198.18.0.50:40000 -> 198.18.0.100:9002
	src4, dst4 := netip.MustParseAddrPort("198.18.0.50:40000"), netip.MustParseAddrPort("198.18.0.100:9002")
	tests := []struct {
		name string
		in   string
		want Header
		n    int
		err  string
	}{
		{"v1 TCP4", "PROXY TCP4 198.18.0.50 198.18.0.100 40000 9002\r\nGET", Header{Version: 1, Command: Proxy, Src: src4, Dst: dst4, Transport: 1}, 48, ""},
		{"v1 leading zero port", "PROXY TCP4 198.18.0.50 198.18.0.100 040000 09002\r\n", Header{}, 0, "format"},
		{"v1 port with zeros", "PROXY TCP4 198.18.0.50 198.18.0.100 00080 9002\r\n", Header{Version: 1, Command: Proxy, Src: netip.AddrPortFrom(src4.Addr(), 80), Dst: dst4, Transport: 1}, 48, ""},
		{"v1 UNKNOWN", "PROXY UNKNOWN\r\n", Header{Version: 1, Transport: 1}, 15, ""},
		{"v1 UNKNOWN with addresses", "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\nX", Header{Version: 1, Transport: 1}, 59, ""},
		{"v1 longest line", "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
			Header{Version: 1, Command: Proxy, Transport: 1,
				Src: netip.MustParseAddrPort("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"),
				Dst: netip.MustParseAddrPort("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")}, 104, ""},
		{"v1 incomplete prefix", "PRO", Header{}, 0, "incomplete"},
		{"v1 incomplete line", "PROXY TCP4 198.18.0.50 198.", Header{}, 0, "incomplete"},
		{"v1 no CRLF within 107", "PROXY UNKNOWN" + strings.Repeat(" ", 100), Header{}, 0, "format"},
		{"v1 bare LF", "PROXY UNKNOWN\n", Header{}, 0, "format"},
		{"v1 TCP4 with IPv6", "PROXY TCP4 ::1 ::1 1 2\r\n", Header{}, 0, "format"},
		{"v1 TCP6 with IPv4", "PROXY TCP6 1.2.3.4 1.2.3.4 1 2\r\n", Header{}, 0, "format"},
		{"v1 zone", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", Header{}, 0, "format"},
		{"v1 port too large", "PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n", Header{}, 0, "format"},
		{"v1 double space", "PROXY TCP4 1.2.3.4  1.2.3.4 1 2\r\n", Header{}, 0, "format"},
		{"v1 extra field", "PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n", Header{}, 0, "format"},
		{"v1 missing field", "PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n", Header{}, 0, "format"},
		{"v1 unknown protocol", "PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n", Header{}, 0, "format"},
		{"v1 lower case", "proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n", Header{}, 0, "not proxy"},
		{"HTTP request", "GET / HTTP/1.1\r\n", Header{}, 0, "not proxy"},
		{"PROXY-like", "PROXX ", Header{}, 0, "not proxy"},
		{"empty", "", Header{}, 0, "incomplete"},
		{"v2 TCP4", v2(0x21, 0x11, ip4body) + "rest", Header{Version: 2, Command: Proxy, Src: src4, Dst: dst4, Transport: 1}, 28, ""},
		{"v2 UDP4", v2(0x21, 0x12, ip4body), Header{Version: 2, Command: Proxy, Src: src4, Dst: dst4, Transport: 2}, 28, ""},
		{"v2 TCP4 with TLVs", v2(0x21, 0x11, ip4body+"0200056c6f63616c"+"04000100"),
			Header{Version: 2, Command: Proxy, Src: src4, Dst: dst4, Transport: 1, TLV: unhex(t, "0200056c6f63616c04000100")}, 40, ""},
		{"v2 TLV overflows", v2(0x21, 0x11, ip4body+"020009616263"), Header{}, 0, "format"},
		{"v2 TLV truncated", v2(0x21, 0x11, ip4body+"0200"), Header{}, 0, "format"},
		{"v2 LOCAL", v2(0x20, 0x00, ""), Header{Version: 2, Command: Local}, 16, ""},
		{"v2 LOCAL with addresses", v2(0x20, 0x11, ip4body), Header{Version: 2, Command: Local, Transport: 1}, 28, ""},
		{"v2 UNSPEC proxy", v2(0x21, 0x00, ""), Header{Version: 2, Command: Proxy}, 16, ""},
		{"v2 unix", v2(0x21, 0x31, strings.Repeat("00", 216)), Header{Version: 2, Command: Proxy, Transport: 1}, 232, ""},
		{"v2 unix short", v2(0x21, 0x31, strings.Repeat("00", 20)), Header{}, 0, "format"},
		{"v2 IPv4 short", v2(0x21, 0x11, "c6120032"), Header{}, 0, "format"},
		{"v2 IPv6 short", v2(0x21, 0x21, ip4body), Header{}, 0, "format"},
		{"v2 bad family", v2(0x21, 0x41, ip4body), Header{}, 0, "format"},
		{"v2 bad version", v2(0x11, 0x11, ip4body), Header{}, 0, "format"},
		{"v2 bad command", v2(0x22, 0x11, ip4body), Header{}, 0, "format"},
		{"v2 incomplete signature", v2Sig[:7], Header{}, 0, "incomplete"},
		{"v2 incomplete fixed part", v2Sig + "\x21\x11", Header{}, 0, "incomplete"},
		{"v2 incomplete addresses", v2(0x21, 0x11, ip4body)[:20], Header{}, 0, "incomplete"},
		{"v2 too large", v2Sig + "\x21\x11\xff\xff", Header{}, 0, "too large"},
		{"v2 broken signature", "\r\n\r\n\x00\r\nQUIX\n\x21\x11\x00\x0c", Header{}, 0, "not proxy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, n, err := Parse([]byte(tc.in))
			if diff := cmp.Diff(tc.err, errKind(err)); diff != "" {
				t.Fatalf("error (-want +got):\n%s (%v)", diff, err)
			}
			if diff := cmp.Diff(tc.want, h, cmpHeader); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if n != tc.n {
				t.Errorf("n = %d, want %d", n, tc.n)
			}
		})
	}
}

func TestTLVs(t *testing.T) {
	h := Header{TLV: unhex(t, "0200056c6f63616c04000100")}
	type tlv struct {
		Typ byte
		Val string
	}
	var got []tlv
	h.TLVs(func(typ byte, v []byte) bool { got = append(got, tlv{typ, hex.EncodeToString(v)}); return true })
	want := []tlv{{0x02, hex.EncodeToString([]byte("local"))}, {0x04, "00"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRoundTrip(t *testing.T) {
	addrs := []netip.AddrPort{
		netip.MustParseAddrPort("198.18.0.50:40000"),
		netip.MustParseAddrPort("[2001:db8::1]:443"),
		netip.MustParseAddrPort("[::ffff:198.18.0.1]:1"),
		{},
	}
	for _, s := range addrs {
		for _, d := range addrs {
			for _, v := range []int{1, 2} {
				hs := Header{Version: v, Command: Proxy, Src: s, Dst: d}
				b := hs.Append(nil)
				h, n, err := Parse(b)
				if err != nil || n != len(b) {
					t.Fatalf("%v->%v v%d: n=%d err=%v", s, d, v, n, err)
				}
				ws, wd, _, ok := pair(s, d)
				if !ok {
					ws, wd = netip.AddrPort{}, netip.AddrPort{}
				}
				if h.Src != ws || h.Dst != wd {
					t.Errorf("%v->%v v%d: decoded %v->%v, want %v->%v", s, d, v, h.Src, h.Dst, ws, wd)
				}
			}
		}
	}
}

func BenchmarkParseV1(b *testing.B) {
	in := []byte("PROXY TCP4 198.18.0.50 198.18.0.100 40000 9002\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseV2(b *testing.B) {
	in := AppendV2(nil, netip.MustParseAddrPort("198.18.0.50:40000"), netip.MustParseAddrPort("198.18.0.100:9002"))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}
