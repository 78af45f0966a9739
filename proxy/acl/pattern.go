package acl

import (
	"encoding/hex"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// matchMethod is how a fetched value is compared with the patterns
// (configuration.txt §7.1, "-m").
type matchMethod uint8

const (
	mFound matchMethod = iota + 1
	mBool
	mInt
	mIP
	mBin
	mLen
	mStr
	mBeg
	mSub
	mDir
	mDom
	mEnd
	mReg
	mMeth // method's own matcher: not selectable with -m
)

var matchNames = map[string]matchMethod{
	"found": mFound, "bool": mBool, "int": mInt, "ip": mIP, "bin": mBin,
	"len": mLen, "str": mStr, "beg": mBeg, "sub": mSub, "dir": mDir,
	"dom": mDom, "end": mEnd, "reg": mReg,
}

// compatible reports whether values of type t can be matched with m,
// following haproxy's cast matrix (configuration.txt §7.1).
func compatible(m matchMethod, t smpType) bool {
	switch m {
	case mFound, mLen, mStr, mBeg, mSub, mDir, mDom, mEnd, mReg:
		return true
	case mBool:
		return t == tBool || t == tInt || t == tStr
	case mInt:
		return t != tMeth
	case mIP:
		return t == tIP || t == tStr
	case mBin:
		return t == tStr
	case mMeth:
		return t == tMeth
	}
	return false
}

// takesPatterns reports whether m compares with patterns at all.
func takesPatterns(m matchMethod) bool { return m != mFound && m != mBool }

// intOp is a comparison operator of integer matching.
type intOp uint8

const (
	opEq intOp = iota
	opGt
	opGe
	opLt
	opLe
)

var intOps = map[string]intOp{"eq": opEq, "gt": opGt, "ge": opGe, "lt": opLt, "le": opLe}

type strPat struct {
	s     []byte // lowercased when icase
	icase bool
}

type intPat struct {
	min, max       int64
	minSet, maxSet bool
}

type ip4Pat struct{ addr, mask uint32 }

type methPat struct {
	known int // index in knownMethods, or -1 for another method
	s     []byte
	icase bool
}

// patterns holds the compiled patterns of one ACL expression.
type patterns struct {
	strs  []strPat
	exact map[string]struct{} // mStr, case-sensitive, when there are many
	fold  map[string]struct{} // mStr, case-insensitive (lowercased), when there are many
	ints  []intPat
	ip4   []ip4Pat
	ip6   []netip.Prefix
	regs  []*regexp.Regexp
	bins  [][]byte
	meths []methPat
}

// mapThreshold is the number of exact strings above which they are looked
// up in a map rather than compared one by one.
const mapThreshold = 8

// add parses one pattern for method m. op is the integer operator in
// force (ignored by other methods).
func (p *patterns) add(m matchMethod, text string, icase bool, op intOp) error {
	switch m {
	case mFound, mBool:
		return nil // patterns are ignored, as haproxy does
	case mInt, mLen:
		r, err := parseIntPattern(text, op)
		if err != nil {
			return err
		}
		p.ints = append(p.ints, r)
	case mIP:
		if err := p.addIP(text); err != nil {
			return err
		}
	case mBin:
		b, err := hex.DecodeString(text)
		if err != nil {
			return errorf(text, "'%s' is not a valid hexadecimal binary string", text)
		}
		p.bins = append(p.bins, b)
	case mReg:
		expr := text
		if icase {
			expr = "(?i)" + text
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return errorf(text, "regex '%s' is invalid: %v", text, err)
		}
		p.regs = append(p.regs, re)
	case mDir, mDom:
		isDelim := isDirDelim
		if m == mDom {
			isDelim = isDomDelim
		}
		s := text
		for len(s) > 0 && isDelim(s[0]) {
			s = s[1:]
		}
		for len(s) > 0 && isDelim(s[len(s)-1]) {
			s = s[:len(s)-1]
		}
		p.addStr(s, icase)
	case mMeth:
		mp := methPat{known: knownMethod([]byte(text)), icase: icase}
		if mp.known < 0 {
			mp.s = []byte(text)
		}
		p.meths = append(p.meths, mp)
	default: // mStr, mBeg, mSub, mEnd
		p.addStr(text, icase)
	}
	return nil
}

func (p *patterns) addStr(s string, icase bool) {
	if icase {
		s = strings.ToLower(s)
	}
	p.strs = append(p.strs, strPat{s: []byte(s), icase: icase})
}

// finish moves many exact strings into maps.
func (p *patterns) finish(m matchMethod) {
	if m != mStr || len(p.strs) <= mapThreshold {
		return
	}
	p.exact, p.fold = map[string]struct{}{}, map[string]struct{}{}
	for _, sp := range p.strs {
		if sp.icase {
			p.fold[string(sp.s)] = struct{}{}
		} else {
			p.exact[string(sp.s)] = struct{}{}
		}
	}
	p.strs = nil
}

// parseIntPattern parses "N", "N:M", ":M", "N:" ('-' also separates, as in
// haproxy's pat_parse_int) and applies the operator to a single number.
func parseIntPattern(text string, op intOp) (intPat, error) {
	if text == "" {
		return intPat{}, errorf(text, "'' is not a valid number range")
	}
	sep := strings.IndexAny(text, ":-")
	if sep < 0 {
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			if op == opEq {
				return intPat{}, errorf(text, "'%s' is not a number", text)
			}
			return intPat{}, errorf(text, "'%s' is neither a number nor a supported operator", text)
		}
		switch op {
		case opGt:
			return intPat{min: v + 1, minSet: true}, nil
		case opGe:
			return intPat{min: v, minSet: true}, nil
		case opLt:
			return intPat{max: v - 1, maxSet: true}, nil
		case opLe:
			return intPat{max: v, maxSet: true}, nil
		}
		return intPat{min: v, max: v, minSet: true, maxSet: true}, nil
	}
	bad := errorf(text, "'%s' is not a valid number range", text)
	lo, hi := text[:sep], text[sep+1:]
	var r intPat
	var err error
	if lo == "" && hi == "" {
		return intPat{}, bad
	}
	if lo != "" {
		if r.min, err = strconv.ParseInt(lo, 10, 64); err != nil {
			return intPat{}, bad
		}
		r.minSet = true
	}
	if hi != "" {
		if r.max, err = strconv.ParseInt(hi, 10, 64); err != nil {
			return intPat{}, bad
		}
		r.maxSet = true
	}
	if r.minSet && r.maxSet && r.min > r.max {
		return intPat{}, bad
	}
	return r, nil
}

// addIP parses an IPv4 address (dotted, or abbreviated as inet_aton does:
// "10.12" is 10.0.0.12) with an optional "/bits" or dotted "/mask", or an
// IPv6 address with an optional "/bits". Host names are not resolved.
func (p *patterns) addIP(text string) error {
	bad := errorf(text, "'%s' is not a valid IPv4 or IPv6 address", text)
	addr, mask, hasMask := strings.Cut(text, "/")
	if a, ok := parseIPv4(addr); ok {
		m := uint32(0xffffffff)
		if hasMask {
			if bits, err := strconv.Atoi(mask); err == nil {
				if bits < 0 || bits > 32 || strings.HasPrefix(mask, "+") {
					return bad
				}
				m = ^uint32(0) << (32 - bits)
				if bits == 0 {
					m = 0
				}
			} else if mm, ok := parseDottedQuad(mask); ok {
				m = mm
			} else {
				return bad
			}
		}
		p.ip4 = append(p.ip4, ip4Pat{addr: a & m, mask: m})
		return nil
	}
	if strings.Contains(addr, ".") && !strings.Contains(addr, ":") {
		return bad // looks like IPv4 but is not: host names are not resolved
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return bad
	}
	bits := 128
	if hasMask {
		if bits, err = strconv.Atoi(mask); err != nil || bits < 0 || bits > 128 || strings.HasPrefix(mask, "+") {
			return bad
		}
	}
	pfx, err := a.Prefix(bits)
	if err != nil {
		return bad
	}
	p.ip6 = append(p.ip6, pfx)
	return nil
}

// parseIPv4 accepts "a.b.c.d" and the inet_aton short forms "a.b.c"
// (c fills 16 bits), "a.b" (b fills 24 bits); decimal parts only.
func parseIPv4(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return 0, false
	}
	var v uint32
	for i, part := range parts {
		if part == "" || len(part) > 10 {
			return 0, false
		}
		n, err := strconv.ParseUint(part, 10, 32)
		if err != nil {
			return 0, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return 0, false
			}
			v |= uint32(n) << (24 - 8*i)
			continue
		}
		rem := 8 * (4 - i) // bits left for the last part
		if rem < 32 && n >= 1<<rem {
			return 0, false
		}
		v |= uint32(n)
	}
	return v, true
}

func parseDottedQuad(s string) (uint32, bool) {
	if strings.Count(s, ".") != 3 {
		return 0, false
	}
	return parseIPv4(s)
}

// knownMethods are the methods haproxy identifies (case-sensitively);
// any other method is compared as a string.
var knownMethods = [...]string{"OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT"}

func knownMethod(b []byte) int {
	for i, m := range knownMethods {
		if string(b) == m {
			return i
		}
	}
	return -1
}

func isDirDelim(c byte) bool { return c == '/' || c == '?' }
func isDomDelim(c byte) bool { return c == '/' || c == '?' || c == '.' || c == ':' }
