package proxyproto

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// pair normalises src and dst to one family: both IPv4, or both IPv6 with
// an IPv4 address in its IPv4-mapped form. ok is false when either is
// missing.
func pair(src, dst netip.AddrPort) (s, d netip.AddrPort, v6, ok bool) {
	if !src.IsValid() || !dst.IsValid() {
		return src, dst, false, false
	}
	sa, da := src.Addr().WithZone(""), dst.Addr().WithZone("")
	if sa.Is4() != da.Is4() {
		if sa.Is4() {
			sa = netip.AddrFrom16(sa.As16())
		}
		if da.Is4() {
			da = netip.AddrFrom16(da.As16())
		}
	}
	return netip.AddrPortFrom(sa, src.Port()), netip.AddrPortFrom(da, dst.Port()), !sa.Is4(), true
}

// AppendV1 appends a version 1 header line for a connection from src to
// dst, "PROXY UNKNOWN\r\n" when either is invalid. It does not allocate
// when b has room.
func AppendV1(b []byte, src, dst netip.AddrPort) []byte {
	s, d, v6, ok := pair(src, dst)
	if !ok {
		return append(b, "PROXY UNKNOWN\r\n"...)
	}
	if v6 {
		b = append(b, "PROXY TCP6 "...)
	} else {
		b = append(b, "PROXY TCP4 "...)
	}
	b = s.Addr().AppendTo(b)
	b = append(b, ' ')
	b = d.Addr().AppendTo(b)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(s.Port()), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(d.Port()), 10)
	return append(b, '\r', '\n')
}

// AppendV2 appends a version 2 header: command PROXY over TCP for a
// connection from src to dst, or LOCAL with no address when either is
// invalid. It does not allocate when b has room.
func AppendV2(b []byte, src, dst netip.AddrPort) []byte {
	b = append(b, v2Sig...)
	s, d, v6, ok := pair(src, dst)
	if !ok {
		b = append(b, 0x20, famUnspec<<4)
		return binary.BigEndian.AppendUint16(b, 0)
	}
	b = append(b, 0x21) // version 2, PROXY
	if v6 {
		b = append(b, famInet6<<4|0x1)
		b = binary.BigEndian.AppendUint16(b, lenInet6)
		sa, da := s.Addr().As16(), d.Addr().As16()
		b = append(b, sa[:]...)
		b = append(b, da[:]...)
	} else {
		b = append(b, famInet<<4|0x1)
		b = binary.BigEndian.AppendUint16(b, lenInet)
		sa, da := s.Addr().As4(), d.Addr().As4()
		b = append(b, sa[:]...)
		b = append(b, da[:]...)
	}
	b = binary.BigEndian.AppendUint16(b, s.Port())
	return binary.BigEndian.AppendUint16(b, d.Port())
}

// Append appends h in its version's encoding (version 1 for 1, version 2
// otherwise). A v2 LOCAL header is written without address even when h
// has one; TLVs are not written.
func (h *Header) Append(b []byte) []byte {
	if h.Version == 1 {
		return AppendV1(b, h.Src, h.Dst)
	}
	if h.Command == Local {
		return AppendV2(b, netip.AddrPort{}, netip.AddrPort{})
	}
	return AppendV2(b, h.Src, h.Dst)
}
