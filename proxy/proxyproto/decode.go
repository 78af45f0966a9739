package proxyproto

import (
	"bytes"
	"encoding/binary"
	"net/netip"
)

// Parse decodes the PROXY header at the start of b. It returns the header
// and the number of bytes it occupies; ErrIncomplete when b is a valid but
// unfinished beginning of a header; ErrNotProxy when b does not start with
// a signature; a *FormatError for a malformed header; ErrTooLarge for a v2
// header longer than MaxHeaderLen. The returned TLV aliases b.
func Parse(b []byte) (Header, int, error) {
	switch {
	case len(b) == 0:
		return Header{}, 0, ErrIncomplete
	case b[0] == v1Prefix[0]:
		if !bytes.HasPrefix(b, []byte(v1Prefix)) {
			if bytes.HasPrefix([]byte(v1Prefix), b) {
				return Header{}, 0, ErrIncomplete
			}
			return Header{}, 0, ErrNotProxy
		}
		return parseV1(b)
	case b[0] == v2Sig[0]:
		if len(b) < len(v2Sig) {
			if bytes.HasPrefix([]byte(v2Sig), b) {
				return Header{}, 0, ErrIncomplete
			}
			return Header{}, 0, ErrNotProxy
		}
		if string(b[:len(v2Sig)]) != v2Sig {
			return Header{}, 0, ErrNotProxy
		}
		return parseV2(b)
	}
	return Header{}, 0, ErrNotProxy
}

func v1Err(reason string) error { return &FormatError{Version: 1, Reason: reason} }
func v2Err(reason string) error { return &FormatError{Version: 2, Reason: reason} }

// parseV1 decodes "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" or
// "PROXY UNKNOWN...\r\n"; b starts with "PROXY ".
func parseV1(b []byte) (Header, int, error) {
	end := bytes.IndexByte(b[:min(len(b), MaxV1Len)], '\n')
	if end < 0 {
		if len(b) >= MaxV1Len {
			return Header{}, 0, v1Err("no CRLF within 107 bytes")
		}
		return Header{}, 0, ErrIncomplete
	}
	n := end + 1
	if end == 0 || b[end-1] != '\r' {
		return Header{}, 0, v1Err("line does not end with CRLF")
	}
	line := b[len(v1Prefix) : end-1]
	h := Header{Version: 1, Transport: 1}
	// UNKNOWN: the rest of the line is ignored (proxy-protocol.txt 2.1).
	if bytes.HasPrefix(line, []byte("UNKNOWN")) {
		return h, n, nil
	}
	var v6 bool
	switch {
	case bytes.HasPrefix(line, []byte("TCP4 ")):
	case bytes.HasPrefix(line, []byte("TCP6 ")):
		v6 = true
	default:
		return Header{}, 0, v1Err("unknown protocol (expected TCP4, TCP6 or UNKNOWN)")
	}
	f := line[5:]
	var words [4][]byte
	for i := range words {
		sp := bytes.IndexByte(f, ' ')
		if i == 3 {
			if sp >= 0 {
				return Header{}, 0, v1Err("too many fields")
			}
			sp = len(f)
		} else if sp < 0 {
			return Header{}, 0, v1Err("missing fields")
		}
		words[i] = f[:sp]
		if i < 3 {
			f = f[sp+1:]
		}
	}
	src, err1 := parseV1Addr(words[0], v6)
	dst, err2 := parseV1Addr(words[1], v6)
	if err1 != nil || err2 != nil {
		return Header{}, 0, v1Err("invalid address")
	}
	sp, ok1 := parsePort(words[2])
	dp, ok2 := parsePort(words[3])
	if !ok1 || !ok2 {
		return Header{}, 0, v1Err("invalid port")
	}
	h.Command = Proxy
	h.Src, h.Dst = netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)
	return h, n, nil
}

func parseV1Addr(w []byte, v6 bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(string(w))
	if err != nil {
		return a, err
	}
	if a.Is4() == v6 || a.Zone() != "" {
		return netip.Addr{}, errFamily
	}
	return a, nil
}

var errFamily = v1Err("address family does not match the protocol")

// parsePort reads a decimal port 0..65535 (leading zeros allowed, as
// HAProxy's reader does).
func parsePort(w []byte) (uint16, bool) {
	if len(w) == 0 || len(w) > 5 {
		return 0, false
	}
	n := 0
	for _, c := range w {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, false
	}
	return uint16(n), true
}

// parseV2 decodes a binary header; b starts with the v2 signature.
func parseV2(b []byte) (Header, int, error) {
	if len(b) < v2HeadLen {
		return Header{}, 0, ErrIncomplete
	}
	verCmd, fam := b[12], b[13]
	plen := int(binary.BigEndian.Uint16(b[14:16]))
	n := v2HeadLen + plen
	if n > MaxHeaderLen {
		return Header{}, 0, ErrTooLarge
	}
	if verCmd>>4 != 2 {
		return Header{}, 0, v2Err("version is not 2")
	}
	if len(b) < n {
		return Header{}, 0, ErrIncomplete
	}
	h := Header{Version: 2, Transport: fam & 0x0f}
	body := b[v2HeadLen:n]
	switch Command(verCmd & 0x0f) {
	case Local:
		// The address block, if any, is ignored; TLVs are not read.
		h.Command = Local
		return h, n, nil
	case Proxy:
		h.Command = Proxy
	default:
		return Header{}, 0, v2Err("unknown command")
	}
	var alen int
	switch fam >> 4 {
	case famInet:
		alen = lenInet
		if plen < alen {
			return Header{}, 0, v2Err("address block too short for IPv4")
		}
		src := netip.AddrFrom4([4]byte(body[0:4]))
		dst := netip.AddrFrom4([4]byte(body[4:8]))
		h.Src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(body[8:10]))
		h.Dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(body[10:12]))
	case famInet6:
		alen = lenInet6
		if plen < alen {
			return Header{}, 0, v2Err("address block too short for IPv6")
		}
		src := netip.AddrFrom16([16]byte(body[0:16]))
		dst := netip.AddrFrom16([16]byte(body[16:32]))
		h.Src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(body[32:34]))
		h.Dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(body[34:36]))
	case famUnix:
		alen = lenUnix
		if plen < alen {
			return Header{}, 0, v2Err("address block too short for a Unix socket")
		}
	case famUnspec:
		// No address: the receiver keeps the connection's own.
	default:
		return Header{}, 0, v2Err("unknown address family")
	}
	if err := checkTLVs(body[alen:]); err != nil {
		return Header{}, 0, err
	}
	if len(body) > alen {
		h.TLV = body[alen:]
	}
	return h, n, nil
}

// checkTLVs validates the framing of a TLV block: type (1 byte), length
// (2 bytes, big endian), value.
func checkTLVs(b []byte) error {
	for len(b) > 0 {
		if len(b) < 3 {
			return v2Err("truncated TLV")
		}
		l := int(binary.BigEndian.Uint16(b[1:3]))
		if len(b) < 3+l {
			return v2Err("TLV length exceeds the header")
		}
		b = b[3+l:]
	}
	return nil
}

// TLVs calls fn for each TLV of h in order; fn returns false to stop.
func (h *Header) TLVs(fn func(typ byte, value []byte) bool) {
	b := h.TLV
	for len(b) >= 3 {
		l := int(binary.BigEndian.Uint16(b[1:3]))
		if len(b) < 3+l || !fn(b[0], b[3:3+l]) {
			return
		}
		b = b[3+l:]
	}
}
