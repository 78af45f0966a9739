package h1

import "bytes"

// Header is one header field line. Name and Value are slices into the
// caller's buffer (valid while the buffer is); Value has no leading or
// trailing optional whitespace.
type Header struct{ Name, Value []byte }

// Limits bounds a head. A zero or negative field means its default.
type Limits struct {
	// MaxHeadBytes is the largest head, start line to the final empty line
	// included. Default 15360: HAProxy's tune.bufsize (16384) minus
	// tune.maxrewrite (1024).
	MaxHeadBytes int
	// MaxHeaders counts the start line and every header line, as HAProxy's
	// tune.http.maxhdr does. Default 101, so at most 100 header lines.
	MaxHeaders int
}

const (
	defaultMaxHeadBytes = 16384 - 1024
	defaultMaxHeaders   = 101
)

// DefaultLimits are HAProxy 2.6's defaults.
var DefaultLimits = Limits{MaxHeadBytes: defaultMaxHeadBytes, MaxHeaders: defaultMaxHeaders}

func (l Limits) headBytes() int {
	if l.MaxHeadBytes <= 0 {
		return defaultMaxHeadBytes
	}
	return l.MaxHeadBytes
}

// fieldLines is how many header lines fit besides the start line.
func (l Limits) fieldLines() int {
	if l.MaxHeaders <= 0 {
		return defaultMaxHeaders - 1
	}
	return l.MaxHeaders - 1
}

// HeaderValue returns the value of the first field called name (ASCII
// case-insensitive) and whether there was one.
func HeaderValue(hs []Header, name string) ([]byte, bool) {
	for i := range hs {
		if equalFold(hs[i].Name, name) {
			return hs[i].Value, true
		}
	}
	return nil, false
}

// HasToken reports whether the comma-separated list v (Connection, TE,
// Upgrade, ...) holds token, compared ASCII case-insensitively. Empty list
// elements and whitespace around elements are ignored.
func HasToken(v []byte, token string) bool {
	for len(v) > 0 {
		var el []byte
		el, v = nextElement(v)
		if equalFold(el, token) {
			return true
		}
	}
	return false
}

// nextElement splits a comma-separated list: el is the first element without
// surrounding whitespace, rest what follows its comma.
func nextElement(v []byte) (el, rest []byte) {
	if i := bytes.IndexByte(v, ','); i >= 0 {
		return trimOWS(v[:i]), v[i+1:]
	}
	return trimOWS(v), nil
}

// equalFold compares b with s ASCII case-insensitively.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lower[b[i]] != lower[s[i]] {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == '\t') {
		j--
	}
	return b[i:j]
}

// Character classes (RFC 9110 §5.6.2 tchar; URI bytes as HAProxy accepts
// them without accept-invalid-http-request: 0x21-0x7E, and '#' refused since
// the CVE-2023-45539 fix).
var (
	tokenChar = makeClass(func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0
	})
	uriChar = makeClass(func(c byte) bool { return 0x21 <= c && c <= 0x7e && c != '#' })
	lower   = makeLower()
)

func makeClass(in func(byte) bool) (t [256]bool) {
	for c := range t {
		t[c] = in(byte(c))
	}
	return t
}

func makeLower() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if 'A' <= c && c <= 'Z' {
			t[c] = byte(c + 'a' - 'A')
		}
	}
	return t
}

// nextLine returns the line starting at b[p] without its terminator. Lines
// end in CRLF or, as HAProxy accepts, in a bare LF. next is the offset after
// the terminator, or -1 when b holds no LF after p yet. A CR anywhere else in
// the line is an error.
func nextLine(b []byte, p int) (line []byte, next int, code errCode) {
	i := bytes.IndexByte(b[p:], '\n')
	if i < 0 {
		return nil, -1, errNone
	}
	line = b[p : p+i]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if bytes.IndexByte(line, '\r') >= 0 {
		return nil, 0, errBareCR
	}
	return line, p + i + 1, errNone
}

// skipEmptyLines skips the empty lines RFC 9112 §2.2 lets a recipient ignore
// before a start line (HAProxy does). It returns the offset of the first
// non-empty byte, or -1 when b ends inside the empty lines.
func skipEmptyLines(b []byte) (int, errCode) {
	p := 0
	for p < len(b) {
		switch b[p] {
		case '\n':
			p++
		case '\r':
			if p+1 == len(b) {
				return -1, errNone
			}
			if b[p+1] != '\n' {
				return 0, errBareCR
			}
			p += 2
		default:
			return p, errNone
		}
	}
	return -1, errNone
}

// splitField splits a non-empty header line into name and trimmed value.
func splitField(line []byte) (name, value []byte, code errCode) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, errObsFold
	}
	i := 0
	for i < len(line) && tokenChar[line[i]] {
		i++
	}
	if i == len(line) || i == 0 {
		return nil, nil, errBadHeaderName
	}
	if line[i] != ':' {
		j := i
		for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
			j++
		}
		if j > i && j < len(line) && line[j] == ':' {
			return nil, nil, errSpaceBeforeColon
		}
		return nil, nil, errBadHeaderName
	}
	value = trimOWS(line[i+1:])
	if bytes.IndexByte(value, 0) >= 0 {
		return nil, nil, errNUL
	}
	return line[:i], value, errNone
}

// hasHeadEnd reports whether b may hold the end of a head: an empty line
// right after a line end. It never misses one, so a false answer proves the
// head is incomplete; it lets an incomplete head be rescanned at memchr speed.
func hasHeadEnd(b []byte) bool {
	return bytes.Contains(b, crlfcrlf[1:]) || bytes.Contains(b, lflf)
}

var (
	crlfcrlf = []byte("\r\n\r\n")
	lflf     = []byte("\n\n")
)
