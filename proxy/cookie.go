package proxy

import (
	"bytes"
	"time"

	"haappliance/proxy/h1"
)

// Cookie modes.
const (
	ckInsert = iota
	ckRewrite
	ckPrefix
)

// cookieRule is a backend's persistence cookie (HAProxy's "cookie" line).
type cookieRule struct {
	name     string
	nameB    []byte
	mode     int
	indirect bool
	nocache  bool
	postonly bool
	httponly bool
	secure   bool
	preserve bool
	domains  []string
	maxIdle  int64 // seconds
	maxLife  int64 // seconds
}

func newCookieRule(c *CookieConfig) *cookieRule {
	r := &cookieRule{
		name: c.Name, nameB: []byte(c.Name), indirect: c.Indirect, nocache: c.NoCache, postonly: c.PostOnly,
		httponly: c.HTTPOnly, secure: c.Secure, preserve: c.Preserve, domains: c.Domain,
		maxIdle: int64(c.MaxIdle.D() / time.Second), maxLife: int64(c.MaxLife.D() / time.Second),
	}
	switch c.CookieMode() {
	case "rewrite":
		r.mode = ckRewrite
	case "prefix":
		r.mode = ckPrefix
	}
	return r
}

// cookieSeen is what the request's persistence cookie said.
type cookieSeen struct {
	found     bool   // the request carried the cookie
	value     []byte // the server part of its value
	lastDate  int64  // unix seconds, 0 if absent
	firstDate int64
	expired   bool // maxidle/maxlife passed: ignore it
}

// scanRequest looks for the persistence cookie in the Cookie fields.
func (r *cookieRule) scanRequest(hs []h1.Header, now int64) cookieSeen {
	var cs cookieSeen
	for i := range hs {
		if !equalFoldStr(hs[i].Name, "cookie") {
			continue
		}
		v := hs[i].Value
		for len(v) > 0 {
			var el elem
			el, v = nextCookie(v)
			name, val := el.name, el.value
			if string(name) != r.name {
				continue
			}
			cs.found = true
			if r.mode == ckPrefix {
				if j := bytes.IndexByte(val, '~'); j >= 0 {
					val = val[:j]
				} else {
					val = nil
				}
			}
			cs.value, cs.lastDate, cs.firstDate = splitCookieDates(val)
			break
		}
		if cs.found {
			break
		}
	}
	if cs.found && r.mode == ckInsert {
		switch {
		case cs.lastDate != 0 && r.maxIdle > 0 && (cs.lastDate+r.maxIdle < now || cs.lastDate-86400 > now):
			cs.expired = true
		case cs.firstDate != 0 && r.maxLife > 0 && (cs.firstDate+r.maxLife < now || cs.firstDate-86400 > now):
			cs.expired = true
		}
	}
	return cs
}

// elem is one "name=value" element of a Cookie field.
type elem struct {
	name, value []byte
}

// nextCookie cuts the first cookie of a Cookie field value.
func nextCookie(v []byte) (elem, []byte) {
	var rest []byte
	if j := bytes.IndexByte(v, ';'); j >= 0 {
		v, rest = v[:j], v[j+1:]
	}
	v = trimSpace(v)
	var e elem
	if j := bytes.IndexByte(v, '='); j >= 0 {
		e.name, e.value = trimSpace(v[:j]), trimSpace(v[j+1:])
	} else {
		e.name = v
	}
	return e, rest
}

// splitCookieDates splits "SRV|LAST|FIRST" (dates in HAProxy's 30-bit
// base64 of seconds/4).
func splitCookieDates(v []byte) (srv []byte, last, first int64) {
	j := bytes.IndexByte(v, '|')
	if j < 0 {
		return v, 0, 0
	}
	srv, v = v[:j], v[j+1:]
	d := v
	if k := bytes.IndexByte(v, '|'); k >= 0 {
		d, v = v[:k], v[k+1:]
		first = b64tos30(v) << 2
	}
	last = b64tos30(d) << 2
	return srv, last, first
}

const base64tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// s30tob64 appends the lower 30 bits of in as 5 base64 characters, most
// significant first (HAProxy's s30tob64).
func s30tob64(dst []byte, in int64) []byte {
	for i := 0; i < 5; i++ {
		dst = append(dst, base64tab[(in>>24)&0x3f])
		in <<= 6
	}
	return dst
}

// b64tos30 decodes 5 characters written by s30tob64; 0 when invalid.
func b64tos30(b []byte) int64 {
	if len(b) != 5 {
		return 0
	}
	var v int64
	for _, c := range b {
		i := bytes.IndexByte([]byte(base64tab), c)
		if i < 0 {
			return 0
		}
		v = v<<6 | int64(i)
	}
	return v
}

// appendRequestCookie appends the Cookie field to the outgoing request as
// the server must see it: without the persistence cookie in insert+indirect
// mode, with the server prefix removed in prefix mode, unchanged otherwise.
// A field left empty is dropped.
func (r *cookieRule) appendRequestCookie(dst, name, value []byte) []byte {
	if r == nil || !(r.mode == ckInsert && r.indirect || r.mode == ckPrefix) || !bytes.Contains(value, r.nameB) {
		return appendHeaderLower(dst, name, value)
	}
	mark := len(dst)
	dst = appendLower(dst, name)
	dst = append(dst, ':', ' ')
	vstart := len(dst)
	pending := false // a kept cookie was written: a separator is due
	v := value
	for len(v) > 0 {
		j := bytes.IndexByte(v, ';')
		var raw []byte
		if j >= 0 {
			raw, v = v[:j], v[j+1:]
		} else {
			raw, v = v, nil
		}
		el := trimSpace(raw)
		if len(el) == 0 {
			continue
		}
		n, val, _ := bytes.Cut(el, []byte("="))
		ours := string(trimSpace(n)) == r.name
		if ours && r.mode != ckPrefix {
			continue // insert+indirect: the server never sees it
		}
		if pending {
			dst = append(dst, ';', ' ')
		}
		pending = true
		if k := bytes.IndexByte(val, '~'); ours && k >= 0 {
			dst = append(dst, trimSpace(n)...)
			dst = append(dst, '=')
			dst = append(dst, val[k+1:]...)
		} else {
			dst = append(dst, el...)
		}
	}
	if len(dst) == vstart {
		return dst[:mark]
	}
	return append(dst, '\r', '\n')
}

// setCookieName returns the cookie name of a Set-Cookie value.
func setCookieName(v []byte) []byte {
	j := bytes.IndexByte(v, '=')
	if j < 0 {
		return nil
	}
	return trimSpace(v[:j])
}

// rewriteSetCookie rewrites a server's Set-Cookie of the persistence cookie
// in rewrite mode (value replaced) or prefix mode ("SRV~value").
func (r *cookieRule) rewriteSetCookie(dst, value []byte, srvCookie string) []byte {
	j := bytes.IndexByte(value, '=')
	dst = append(dst, "set-cookie: "...)
	dst = append(dst, value[:j+1]...)
	dst = append(dst, srvCookie...)
	rest := value[j+1:]
	if r.mode == ckPrefix {
		dst = append(dst, '~')
	} else if k := bytes.IndexByte(rest, ';'); k >= 0 {
		rest = rest[k:]
	} else {
		rest = nil
	}
	dst = append(dst, rest...)
	return append(dst, '\r', '\n')
}

// appendInsertedCookie appends HAProxy's inserted Set-Cookie field for srv.
func (r *cookieRule) appendInsertedCookie(dst []byte, srvCookie string, seen *cookieSeen, now int64) []byte {
	dst = append(dst, "set-cookie: "...)
	dst = append(dst, r.name...)
	dst = append(dst, '=')
	if srvCookie == "" {
		dst = append(dst, "; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"...)
	} else {
		dst = append(dst, srvCookie...)
		if r.maxIdle > 0 || r.maxLife > 0 {
			dst = append(dst, '|')
			dst = s30tob64(dst, (now+3)>>2)
			if r.maxLife > 0 {
				dst = append(dst, '|')
				if seen.firstDate != 0 && !seen.expired {
					dst = s30tob64(dst, seen.firstDate>>2)
				} else {
					dst = s30tob64(dst, (now+3)>>2)
				}
			}
		}
		dst = append(dst, "; path=/"...)
	}
	for _, d := range r.domains {
		dst = append(dst, "; domain="...)
		dst = append(dst, d...)
	}
	if r.httponly {
		dst = append(dst, "; HttpOnly"...)
	}
	if r.secure {
		dst = append(dst, "; Secure"...)
	}
	return append(dst, '\r', '\n')
}

// needsInsert applies HAProxy's condition for inserting a Set-Cookie
// (http_ana.c): the server was not the one the valid cookie named, or a
// date must be refreshed, set or removed; only on POST with postonly; not
// when the server set the cookie itself under preserve.
func (r *cookieRule) needsInsert(direct bool, seen *cookieSeen, isPost, serverSet bool, now int64) bool {
	if r.mode != ckInsert || (r.preserve && serverSet) || (r.postonly && !isPost) {
		return false
	}
	last, first := seen.lastDate, seen.firstDate
	if !direct || seen.expired {
		return true
	}
	return (r.maxIdle > 0 || last != 0) && (last == 0 || last-now < 0) ||
		r.maxLife > 0 && first == 0 ||
		r.maxLife == 0 && first != 0
}

// cacheable reports whether a response may be stored by a shared cache, the
// condition under which nocache adds "cache-control: private". It follows
// HAProxy 2.6 (http_check_response_for_cacheability, checked against the
// real haproxy): a safe method (GET, HEAD, OPTIONS, TRACE), a status
// cacheable by default (RFC 7231 §6.1), no "pragma: no-cache", no
// cache-control element private/no-cache/no-store/max-age=0/s-maxage=0 (a
// later "public" makes it cacheable again), and freshness information
// (max-age, s-maxage, Expires) or a validator (ETag, Last-Modified): a
// response with neither is never stored, so it needs no "private".
func cacheable(method []byte, status int, hs []h1.Header) bool {
	switch string(method) {
	case "GET", "HEAD", "OPTIONS", "TRACE":
	default:
		return false
	}
	switch status {
	case 200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501:
	default:
		return false
	}
	ok, fresh, validator, pragmaSeen := true, false, false, false
	for i := range hs {
		name, v := hs[i].Name, hs[i].Value
		switch {
		case equalFoldStr(name, "pragma"):
			if !pragmaSeen && equalFoldStr(trimSpace(v), "no-cache") {
				return false
			}
			pragmaSeen = true
		case equalFoldStr(name, "cache-control"):
			for len(v) > 0 {
				var el []byte
				if j := bytes.IndexByte(v, ','); j >= 0 {
					el, v = trimSpace(v[:j]), v[j+1:]
				} else {
					el, v = trimSpace(v), nil
				}
				switch {
				case equalFoldStr(el, "public"):
					ok = true
				case equalFoldStr(el, "private"), equalFoldStr(el, "no-cache"), equalFoldStr(el, "no-store"),
					equalFoldStr(el, "max-age=0"), equalFoldStr(el, "s-maxage=0"):
					ok = false
				case hasPrefixFold(el, "no-cache=\"set-cookie"):
				case hasPrefixFold(el, "s-maxage"), hasPrefixFold(el, "max-age"):
					fresh = true
				}
			}
		case equalFoldStr(name, "expires"):
			fresh = true
		case equalFoldStr(name, "etag"), equalFoldStr(name, "last-modified"):
			validator = true
		}
	}
	return ok && (fresh || validator)
}

func trimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == '\t') {
		j--
	}
	return b[i:j]
}

// equalFoldStr compares b and s ASCII case-insensitively.
func equalFoldStr(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lowerByte(b[i]) != lowerByte(s[i]) {
			return false
		}
	}
	return true
}

func hasPrefixFold(b []byte, p string) bool {
	return len(b) >= len(p) && equalFoldStr(b[:len(p)], p)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// appendLower appends b in lower case.
func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, lowerByte(c))
	}
	return dst
}

// appendHeaderLower appends "name: value CRLF" with the name in lower case,
// as HAProxy 2.x forwards header names.
func appendHeaderLower(dst, name, value []byte) []byte {
	dst = appendLower(dst, name)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}
