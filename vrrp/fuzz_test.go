package vrrp

import (
	"bytes"
	"net/netip"
	"testing"
)

// FuzzAdvert checks that every message Unmarshal accepts re-encodes to the
// same bytes (checksum field aside) and decodes back to the same Advert,
// and that Unmarshal and VerifyChecksum never panic.
func FuzzAdvert(f *testing.F) {
	for _, fr := range loadVectors(f) {
		if len(fr) > 34 && fr[12] == 0x08 && fr[13] == 0x00 {
			f.Add(fr[34:], false)
		}
		if len(fr) > 54 && fr[12] == 0x86 && fr[13] == 0xdd && fr[20] == protoVRRP {
			f.Add(fr[54:], true)
		}
	}
	f.Add([]byte{}, false)
	f.Add([]byte{0x31, 1, 100, 0, 0, 100, 0, 0}, false)
	f.Fuzz(func(t *testing.T, msg []byte, v6 bool) {
		src, dst := netip.MustParseAddr("198.18.0.1"), GroupIPv4
		if v6 {
			src, dst = netip.MustParseAddr("fe80::1"), GroupIPv6
		}
		var a Advert
		err := a.Unmarshal(msg, v6)
		VerifyChecksum(msg, a.Version, src, dst)
		if err != nil {
			return
		}
		if a.Len(v6) != len(msg) {
			t.Fatalf("Len %d, message %d", a.Len(v6), len(msg))
		}
		enc, err := a.AppendMarshal(nil, src, dst, DialectPseudo)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		// The v3 reserved bits are sent as zero; so is the v2 count of a
		// message we accepted (always consistent).
		want := append([]byte(nil), msg...)
		if a.Version == 3 {
			want[4] &= 0x0f
		}
		want[6], want[7] = enc[6], enc[7]
		if !bytes.Equal(want, enc) {
			t.Fatalf("round trip:\n in %x\nout %x", msg, enc)
		}
		if _, ok := VerifyChecksum(enc, a.Version, src, dst); !ok {
			t.Fatalf("own checksum rejected: %x", enc)
		}
		var b Advert
		if err := b.Unmarshal(enc, v6); err != nil {
			t.Fatalf("decode own encoding: %v", err)
		}
		if b.VRID != a.VRID || b.Priority != a.Priority || b.Interval != a.Interval || len(b.Addresses) != len(a.Addresses) || b.AuthData != a.AuthData {
			t.Fatalf("decode mismatch: %+v vs %+v", a, b)
		}
	})
}
