package acl

import "strconv"

// expr is one ACL expression: a criterion, a match method and patterns.
type expr struct {
	fe       fetchExpr
	m        matchMethod
	pat      patterns
	userlist Userlist
}

// eval fetches every value of the criterion from smp and reports whether
// one of them matches (haproxy iterates ACL fetches over all values).
func (e *expr) eval(smp Sample) bool {
	p, m := &e.pat, e.m
	switch e.fe.def.id {
	case fTrue:
		return p.matchBoolValue(m, true)
	case fFalse:
		return p.matchBoolValue(m, false)
	case fProtoHTTP:
		return p.matchBoolValue(m, true)
	case fPath:
		v := smp.Path()
		return v != nil && p.matchStr(m, v)
	case fURL:
		return p.matchStr(m, smp.URI())
	case fQuery:
		v := smp.Query()
		return v != nil && p.matchStr(m, v)
	case fURLParam:
		it := paramIter{name: e.fe.name, delim: e.fe.delim}
		it.init(smp.URI())
		for v, ok := it.next(); ok; v, ok = it.next() {
			if p.matchStr(m, v) {
				return true
			}
		}
	case fHdr, fFhdr, fHdrVal:
		it := hdrIter{smp: smp, name: e.fe.name, full: e.fe.def.id == fFhdr, n: smp.NumHeaders()}
		want := e.fe.occ
		if want < 0 {
			total := it.count()
			it = hdrIter{smp: smp, name: e.fe.name, full: it.full, n: it.n}
			want = total + want + 1
			if want < 1 {
				return false
			}
		}
		for i := 1; ; i++ {
			v, ok := it.next()
			if !ok {
				return false
			}
			if want > 0 && i != want {
				continue
			}
			if e.fe.def.id == fHdrVal {
				if p.matchIntValue(m, strl2ic(v)) {
					return true
				}
			} else if p.matchStr(m, v) {
				return true
			}
			if want > 0 {
				return false
			}
		}
	case fHdrCnt, fFhdrCnt:
		it := hdrIter{smp: smp, name: e.fe.name, full: e.fe.def.id == fFhdrCnt, n: smp.NumHeaders()}
		return p.matchIntValue(m, int64(it.count()))
	case fMethod:
		return p.matchMethValue(m, smp.Method())
	case fSrc:
		a := smp.Src()
		return a.IsValid() && p.matchIPValue(m, a)
	case fSSL:
		return p.matchBoolValue(m, smp.SSL())
	case fVer:
		if minor := smp.HTTPMinor(); minor >= 0 && minor < len(versions) {
			return p.matchStr(m, versions[minor])
		}
		return p.matchStr(m, strconv.AppendInt([]byte("1."), int64(smp.HTTPMinor()), 10))
	case fHTTPAuth:
		it := hdrIter{smp: smp, name: authorization, full: true, n: smp.NumHeaders()}
		v, ok := it.next()
		return p.matchBoolValue(m, ok && e.userlist.Authenticate(v))
	}
	return false
}

// versions are the req.ver values of HTTP/1.0 and HTTP/1.1 (never modified).
var versions = [...][]byte{[]byte("1.0"), []byte("1.1")}

// authorization is the header http_auth reads (never modified).
var authorization = []byte("authorization")

// hdrIter yields header values: with full, each field line's value; else
// each comma-separated element of it, commas inside double-quoted strings
// excepted (haproxy __http_find_header). Values are trimmed of spaces and
// tabs; empty elements are yielded too. An empty name matches every field.
type hdrIter struct {
	smp    Sample
	name   []byte // lowercase
	full   bool
	i, n   int
	rest   []byte
	inList bool
}

func (it *hdrIter) next() ([]byte, bool) {
	for {
		if it.inList {
			if len(it.rest) == 0 {
				it.inList = false
				continue
			}
			if it.rest[0] == ',' {
				it.rest = it.rest[1:]
			}
			return it.element(), true
		}
		if it.i >= it.n {
			return nil, false
		}
		name, v := it.smp.Header(it.i)
		it.i++
		if len(it.name) > 0 && (len(name) != len(it.name) || !eq(name, it.name, true)) {
			continue
		}
		if it.full {
			return trimLWS(v), true
		}
		it.rest, it.inList = v, true
		return it.element(), true
	}
}

// element cuts the next list element from it.rest.
func (it *hdrIter) element() []byte {
	v := it.rest
	end := valueEnd(v)
	it.rest = v[end:]
	return trimLWS(v[:end])
}

func (it *hdrIter) count() int {
	n := 0
	for _, ok := it.next(); ok; _, ok = it.next() {
		n++
	}
	return n
}

// valueEnd returns the index of the first comma of v outside a
// double-quoted string (haproxy http_find_hdr_value_end), or len(v).
func valueEnd(v []byte) int {
	quoted, qdpair := false, false
	for i, c := range v {
		switch {
		case qdpair:
			qdpair = false
		case quoted:
			if c == '\\' {
				qdpair = true
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == ',':
			return i
		}
	}
	return len(v)
}

func trimLWS(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// paramIter yields the values of URL parameter name (every parameter that
// has a value when name is empty). The list starts after the first '?' (or
// delim) of the URI; parameters are separated by '&', ';' or delim. Values
// are not URL-decoded.
type paramIter struct {
	name  []byte
	delim byte
	rest  []byte
}

func (it *paramIter) isDelim(c byte) bool {
	return c == '&' || c == ';' || (it.delim != 0 && c == it.delim)
}

func (it *paramIter) init(uri []byte) {
	for i, c := range uri {
		if c == '?' || (it.delim != 0 && c == it.delim) {
			it.rest = uri[i+1:]
			return
		}
	}
}

func (it *paramIter) next() ([]byte, bool) {
	for len(it.rest) > 0 {
		end := 0
		for end < len(it.rest) && !it.isDelim(it.rest[end]) {
			end++
		}
		param := it.rest[:end]
		if end < len(it.rest) {
			it.rest = it.rest[end+1:]
		} else {
			it.rest = nil
		}
		eqAt := -1
		for i, c := range param {
			if c == '=' {
				eqAt = i
				break
			}
		}
		if eqAt < 0 {
			continue
		}
		if len(it.name) == 0 || string(param[:eqAt]) == string(it.name) {
			return param[eqAt+1:], true
		}
	}
	return nil, false
}
