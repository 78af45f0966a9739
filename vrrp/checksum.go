package vrrp

import (
	"encoding/binary"
	"net/netip"
)

// Dialect is how a VRRPv3 checksum over IPv4 is computed. RFC 5798 §5.2.8
// sums a pseudo-header, and keepalived, FRR and tcpdump read that as the
// IPv4 pseudo-header (source, destination, zero, protocol 112, length);
// other implementations (and RFC 9568's reading) sum the VRRP message
// alone. VRRPv2 never uses a pseudo-header and VRRPv3 over IPv6 always
// does, so the dialect only matters for VRRPv3 over IPv4.
type Dialect uint8

const (
	// DialectPseudo includes the IPv4 pseudo-header: keepalived's default.
	DialectPseudo Dialect = iota
	// DialectNoPseudo sums the VRRP message alone.
	DialectNoPseudo
)

func (d Dialect) String() string {
	if d == DialectNoPseudo {
		return "rfc9568"
	}
	return "rfc5798"
}

// protoVRRP is the IP protocol number of VRRP.
const protoVRRP = 112

// sum16 adds b as big-endian 16-bit words to s, without folding.
func sum16(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// fold folds the carries of s and returns its one's complement.
func fold(s uint32) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// pseudoSum is the sum of the pseudo-header for a VRRP message of length n
// from src to dst: the IPv4 one (RFC 768 layout) or the IPv6 one (RFC 8200
// §8.1). The two have the same one's complement sum for the same fields.
func pseudoSum(src, dst netip.Addr, n int) uint32 {
	var s uint32
	if src.Is4() {
		a, b := src.As4(), dst.As4()
		s = sum16(s, a[:])
		s = sum16(s, b[:])
	} else {
		a, b := src.As16(), dst.As16()
		s = sum16(s, a[:])
		s = sum16(s, b[:])
	}
	return s + protoVRRP + uint32(n)
}

// Checksum computes the checksum of the VRRP message msg (its checksum
// field taken as zero) for the given version, addresses and dialect.
// Addresses are only used where the pseudo-header applies.
func Checksum(msg []byte, version uint8, src, dst netip.Addr, d Dialect) uint16 {
	var s uint32
	if len(msg) >= 8 {
		s = sum16(sum16(0, msg[:6]), msg[8:])
	} else {
		s = sum16(0, msg)
	}
	if usesPseudo(version, src, d) {
		s += pseudoSum(src, dst, len(msg))
	}
	return fold(s)
}

func usesPseudo(version uint8, src netip.Addr, d Dialect) bool {
	if version != 3 {
		return false
	}
	return src.Is6() || d == DialectPseudo
}

// VerifyChecksum checks msg's checksum field. For VRRPv3 over IPv4 it
// accepts both dialects and reports which one matched.
func VerifyChecksum(msg []byte, version uint8, src, dst netip.Addr) (Dialect, bool) {
	if len(msg) < 8 {
		return 0, false
	}
	got := binary.BigEndian.Uint16(msg[6:8])
	if Checksum(msg, version, src, dst, DialectPseudo) == got {
		return DialectPseudo, true
	}
	if version == 3 && src.Is4() && Checksum(msg, version, src, dst, DialectNoPseudo) == got {
		return DialectNoPseudo, true
	}
	return 0, false
}
