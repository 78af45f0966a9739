package proxyproto

import (
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	lo4    = netip.MustParseAddr("127.0.0.1")
	lo6    = netip.MustParseAddr("::1")
	mapped = netip.MustParseAddr("::ffff:127.0.0.1")
)

// The want values were captured from HAProxy 2.6.12 `send-proxy` and
// `send-proxy-v2` (server side of a socat-like capture on loopback), for
// the same client and destination addresses.
var haproxyVectors = []struct {
	name     string
	v2       bool
	src, dst netip.AddrPort
	want     string // hex
}{
	{"v1 TCP4", false, netip.AddrPortFrom(lo4, 53178), netip.AddrPortFrom(lo4, 27001),
		hex.EncodeToString([]byte("PROXY TCP4 127.0.0.1 127.0.0.1 53178 27001\r\n"))},
	{"v2 TCP4", true, netip.AddrPortFrom(lo4, 52828), netip.AddrPortFrom(lo4, 27002),
		"0d0a0d0a000d0a515549540a2111000c7f0000017f000001ce5c697a"},
	{"v1 TCP6", false, netip.AddrPortFrom(lo6, 49654), netip.AddrPortFrom(lo6, 27003),
		hex.EncodeToString([]byte("PROXY TCP6 ::1 ::1 49654 27003\r\n"))},
	{"v2 TCP6", true, netip.AddrPortFrom(lo6, 36936), netip.AddrPortFrom(lo6, 27004),
		"0d0a0d0a000d0a515549540a21210024" +
			"00000000000000000000000000000001" + "00000000000000000000000000000001" + "9048697c"},
	{"v1 dual-stack socket", false, netip.AddrPortFrom(mapped, 50278), netip.AddrPortFrom(mapped, 27005),
		hex.EncodeToString([]byte("PROXY TCP6 ::ffff:127.0.0.1 ::ffff:127.0.0.1 50278 27005\r\n"))},
	{"v2 dual-stack socket", true, netip.AddrPortFrom(mapped, 57170), netip.AddrPortFrom(mapped, 27006),
		"0d0a0d0a000d0a515549540a21210024" +
			"00000000000000000000ffff7f000001" + "00000000000000000000ffff7f000001" + "df52697e"},
}

func TestAppendMatchesHAProxy(t *testing.T) {
	for _, tc := range haproxyVectors {
		t.Run(tc.name, func(t *testing.T) {
			var got []byte
			if tc.v2 {
				got = AppendV2(nil, tc.src, tc.dst)
			} else {
				got = AppendV1(nil, tc.src, tc.dst)
			}
			if diff := cmp.Diff(tc.want, hex.EncodeToString(got)); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendSpecialCases(t *testing.T) {
	v4 := netip.MustParseAddrPort("198.18.0.50:40000")
	v6 := netip.MustParseAddrPort("[2001:db8::1]:443")
	zoned := netip.AddrPortFrom(netip.MustParseAddr("fe80::1%eth0"), 80)
	tests := []struct {
		name     string
		v2       bool
		src, dst netip.AddrPort
		want     string
	}{
		{"v1 unknown source", false, netip.AddrPort{}, v4, hex.EncodeToString([]byte("PROXY UNKNOWN\r\n"))},
		{"v1 unknown destination", false, v4, netip.AddrPort{}, hex.EncodeToString([]byte("PROXY UNKNOWN\r\n"))},
		{"v2 LOCAL", true, netip.AddrPort{}, netip.AddrPort{}, "0d0a0d0a000d0a515549540a20000000"},
		{"v1 mixed families map IPv4", false, v4, v6,
			hex.EncodeToString([]byte("PROXY TCP6 ::ffff:198.18.0.50 2001:db8::1 40000 443\r\n"))},
		{"v2 mixed families map IPv4", true, v6, v4,
			"0d0a0d0a000d0a515549540a21210024" + "20010db8000000000000000000000001" +
				"00000000000000000000ffffc6120032" + "01bb9c40"},
		{"v1 zone dropped", false, zoned, zoned, hex.EncodeToString([]byte("PROXY TCP6 fe80::1 fe80::1 80 80\r\n"))},
		{"v1 port zero", false, netip.AddrPortFrom(lo4, 0), netip.AddrPortFrom(lo4, 65535),
			hex.EncodeToString([]byte("PROXY TCP4 127.0.0.1 127.0.0.1 0 65535\r\n"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []byte
			if tc.v2 {
				got = AppendV2(nil, tc.src, tc.dst)
			} else {
				got = AppendV1(nil, tc.src, tc.dst)
			}
			if diff := cmp.Diff(tc.want, hex.EncodeToString(got)); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHeaderAppend(t *testing.T) {
	src, dst := netip.MustParseAddrPort("198.18.0.50:1234"), netip.MustParseAddrPort("198.18.0.100:9002")
	tests := []struct {
		h    Header
		want []byte
	}{
		{Header{Version: 1, Command: Proxy, Src: src, Dst: dst}, AppendV1(nil, src, dst)},
		{Header{Version: 2, Command: Proxy, Src: src, Dst: dst}, AppendV2(nil, src, dst)},
		{Header{Version: 2, Command: Local, Src: src, Dst: dst}, AppendV2(nil, netip.AddrPort{}, netip.AddrPort{})},
		{Header{Version: 1}, []byte("PROXY UNKNOWN\r\n")},
	}
	for i, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.h.Append(nil)); diff != "" {
			t.Errorf("%d: (-want +got):\n%s", i, diff)
		}
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	src, dst := netip.MustParseAddrPort("198.18.0.50:1234"), netip.MustParseAddrPort("[2001:db8::1]:9002")
	buf := make([]byte, 0, 128)
	if n := testing.AllocsPerRun(100, func() { _ = AppendV1(buf[:0], src, dst) }); n != 0 {
		t.Errorf("AppendV1: %v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = AppendV2(buf[:0], src, dst) }); n != 0 {
		t.Errorf("AppendV2: %v allocations", n)
	}
}

func BenchmarkAppendV1(b *testing.B) {
	src, dst := netip.MustParseAddrPort("198.18.0.50:1234"), netip.MustParseAddrPort("198.18.0.100:9002")
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendV1(buf[:0], src, dst)
	}
}

func BenchmarkAppendV2(b *testing.B) {
	src, dst := netip.MustParseAddrPort("198.18.0.50:1234"), netip.MustParseAddrPort("198.18.0.100:9002")
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendV2(buf[:0], src, dst)
	}
}
