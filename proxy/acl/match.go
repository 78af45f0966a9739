package acl

import (
	"bytes"
	"net/netip"
	"strconv"
)

// This file compares one fetched value with the patterns of an expression.
// Every function here is allocation-free for the common cases: strings are
// compared in place, case-insensitive patterns are stored lowercased and
// the sample is folded byte by byte.

// matchStr matches a string value.
func (p *patterns) matchStr(m matchMethod, b []byte) bool {
	switch m {
	case mFound:
		return true
	case mStr:
		if p.exact != nil {
			if _, ok := p.exact[string(b)]; ok {
				return true
			}
			return len(p.fold) > 0 && p.inFold(b)
		}
		for _, sp := range p.strs {
			if len(sp.s) == len(b) && eq(b, sp.s, sp.icase) {
				return true
			}
		}
	case mBeg:
		for _, sp := range p.strs {
			if len(sp.s) <= len(b) && eq(b[:len(sp.s)], sp.s, sp.icase) {
				return true
			}
		}
	case mEnd:
		for _, sp := range p.strs {
			if len(sp.s) <= len(b) && eq(b[len(b)-len(sp.s):], sp.s, sp.icase) {
				return true
			}
		}
	case mSub:
		for _, sp := range p.strs {
			if contains(b, sp.s, sp.icase) {
				return true
			}
		}
	case mDir, mDom:
		isDelim := isDirDelim
		if m == mDom {
			isDelim = isDomDelim
		}
		for _, sp := range p.strs {
			if matchWord(b, sp.s, sp.icase, isDelim) {
				return true
			}
		}
	case mReg:
		for _, re := range p.regs {
			if re.Match(b) {
				return true
			}
		}
	case mLen:
		return p.matchInt(int64(len(b)))
	case mBin:
		for _, bin := range p.bins {
			if bytes.Equal(b, bin) {
				return true
			}
		}
	case mInt, mBool:
		v, ok := str2int(b)
		if !ok {
			return false
		}
		if m == mBool {
			return v != 0
		}
		return p.matchInt(v)
	case mIP:
		a, err := netip.ParseAddr(string(b))
		return err == nil && p.matchIP(a)
	}
	return false
}

// inFold looks up b in the case-insensitive exact-string map, lowercasing
// into a stack buffer.
func (p *patterns) inFold(b []byte) bool {
	var buf [256]byte
	if len(b) > len(buf) {
		_, ok := p.fold[string(bytes.ToLower(b))]
		return ok
	}
	for i, c := range b {
		buf[i] = lower(c)
	}
	_, ok := p.fold[string(buf[:len(b)])]
	return ok
}

// matchInt matches an integer value against integer ranges.
func (p *patterns) matchInt(v int64) bool {
	for _, r := range p.ints {
		if (!r.minSet || r.min <= v) && (!r.maxSet || v <= r.max) {
			return true
		}
	}
	return false
}

// matchIntValue matches an integer sample with any method.
func (p *patterns) matchIntValue(m matchMethod, v int64) bool {
	switch m {
	case mFound:
		return true
	case mInt:
		return p.matchInt(v)
	case mBool:
		return v != 0
	case mIP:
		return p.matchIP(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}))
	}
	var buf [24]byte
	return p.matchStr(m, strconv.AppendInt(buf[:0], v, 10))
}

// matchBoolValue matches a boolean sample with any method.
func (p *patterns) matchBoolValue(m matchMethod, v bool) bool {
	switch m {
	case mFound:
		return true
	case mBool:
		return v
	}
	n := int64(0)
	if v {
		n = 1
	}
	return p.matchIntValue(m, n)
}

// matchIPValue matches an address sample with any method.
func (p *patterns) matchIPValue(m matchMethod, a netip.Addr) bool {
	switch m {
	case mFound:
		return true
	case mIP:
		return p.matchIP(a)
	case mInt, mBool:
		if !a.Unmap().Is4() {
			return false
		}
		b := a.Unmap().As4()
		return p.matchIntValue(m, int64(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3])))
	}
	var buf [64]byte
	return p.matchStr(m, a.AppendTo(buf[:0]))
}

// matchIP applies haproxy's rules (configuration.txt §7.1.6): an IPv4
// sample is tried against IPv4 patterns, then as ::ffff:a.b.c.d against
// IPv6 ones; an IPv6 sample is tried against IPv6 patterns, then, when it
// embeds an IPv4 address (::ffff:V4, ::V4 or 2002:V4::), against IPv4 ones.
func (p *patterns) matchIP(a netip.Addr) bool {
	var v4 [4]byte
	has4 := false
	if a.Is4() {
		v4, has4 = a.As4(), true
		a = netip.AddrFrom16(a.As16())
	} else if a.Is6() {
		b := a.As16()
		switch {
		case isZero(b[:10]) && (b[10] == 0xff && b[11] == 0xff || b[10] == 0 && b[11] == 0):
			copy(v4[:], b[12:])
			has4 = true
		case b[0] == 0x20 && b[1] == 0x02:
			copy(v4[:], b[2:6])
			has4 = true
		}
	} else {
		return false
	}
	for _, pfx := range p.ip6 {
		if pfx.Contains(a) {
			return true
		}
	}
	if has4 {
		v := uint32(v4[0])<<24 | uint32(v4[1])<<16 | uint32(v4[2])<<8 | uint32(v4[3])
		for _, ip := range p.ip4 {
			if v&ip.mask == ip.addr {
				return true
			}
		}
	}
	return false
}

// matchMethValue implements haproxy's pat_match_meth: a known method
// pattern matches the same known method exactly; any other pattern is
// compared as a string with an unknown sample method, honouring -i.
func (p *patterns) matchMethValue(m matchMethod, meth []byte) bool {
	if m != mMeth {
		return p.matchStr(m, meth)
	}
	known := knownMethod(meth)
	for _, mp := range p.meths {
		if mp.known >= 0 {
			if mp.known == known {
				return true
			}
			continue
		}
		if known < 0 && len(mp.s) == len(meth) && eqMeth(meth, mp.s, mp.icase) {
			return true
		}
	}
	return false
}

func eqMeth(b, p []byte, icase bool) bool {
	if !icase {
		return bytes.Equal(b, p)
	}
	for i := range b {
		if lower(b[i]) != lower(p[i]) {
			return false
		}
	}
	return true
}

// str2int casts a string to an integer as haproxy's c_str2int: the leading
// decimal digits, failing when there are none.
func str2int(b []byte) (int64, bool) {
	var v int64
	i := 0
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		v = v*10 + int64(b[i]-'0')
	}
	return v, i > 0
}

// strl2ic converts as haproxy's strl2ic (used by hdr_val): an optional '-'
// then the leading digits; 0 when there are none.
func strl2ic(b []byte) int64 {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	v, _ := str2int(b)
	if neg {
		return -v
	}
	return v
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// eq compares b with pattern p of the same length; p is lowercase when
// icase.
func eq(b, p []byte, icase bool) bool {
	if !icase {
		return bytes.Equal(b, p)
	}
	for i := range p {
		if lower(b[i]) != p[i] {
			return false
		}
	}
	return true
}

func contains(b, p []byte, icase bool) bool {
	if !icase {
		return bytes.Contains(b, p)
	}
	if len(p) == 0 {
		return true
	}
	for i := 0; i+len(p) <= len(b); i++ {
		if lower(b[i]) == p[0] && eq(b[i:i+len(p)], p, true) {
			return true
		}
	}
	return false
}

// matchWord is haproxy's match_word: p must appear in b delimited by
// delimiters or the ends of b. p has its own leading and trailing
// delimiters stripped at parse time; an empty p never matches.
func matchWord(b, p []byte, icase bool, isDelim func(byte) bool) bool {
	if len(p) == 0 || len(p) > len(b) {
		return false
	}
	mayMatch := true
	end := len(b) - len(p)
	for c := 0; c <= end; c++ {
		if isDelim(b[c]) {
			mayMatch = true
			continue
		}
		if !mayMatch {
			continue
		}
		if eq(b[c:c+len(p)], p, icase) && (c == end || isDelim(b[c+len(p)])) {
			return true
		}
		mayMatch = false
	}
	return false
}
