package h1

import "bytes"

// Request is a parsed request head. Its byte slices point into the buffer
// given to ParseRequest (Path may instead be a shared read-only "/"); they
// stay valid while that buffer does and must not be written through.
type Request struct {
	Method []byte
	// URI as received: origin-form, absolute-form, authority-form (CONNECT)
	// or "*" (OPTIONS).
	URI []byte
	// Path is the path part of URI: for absolute-form it starts at the first
	// '/' after the authority and is "/" when empty; "*" for asterisk-form;
	// nil for CONNECT. Query follows the first '?' (without it), nil if none.
	Path, Query []byte
	Minor       int      // 0 or 1 (HTTP/1.0, HTTP/1.1; 1.2-1.9 are read as 1.1)
	Headers     []Header // in order; reused across calls (reset to [:0])
	// ContentLength is -1 when absent (and always when Chunked).
	ContentLength int64
	Chunked       bool // Transfer-Encoding: chunked
	KeepAlive     bool // persistent per RFC 9112 §9.3
	Expect100     bool // Expect: 100-continue on an HTTP/1.1 request
	// Upgrade: HTTP/1.1, Connection lists "upgrade" and an Upgrade field is
	// present (RFC 9110 §7.8).
	Upgrade bool
	// Host is the Host field value, or the authority (without userinfo) of
	// an absolute-form URI, or the URI of a CONNECT without Host.
	Host    []byte
	HeadLen int // bytes of the head, leading empty lines and final empty line included
}

// ParseRequest parses the request head at the start of b into r. It returns
// (r.HeadLen, nil); (0, ErrIncomplete) while b holds no complete head and is
// shorter than the limit; or (0, err) with err a *ParseError of Status 400.
// r is meaningful only after a nil error. Give r.Headers a capacity of
// lim.MaxHeaders once to keep every later call allocation-free.
//
// A head whose end has not arrived is rescanned only for the end of its
// header section (memchr speed) plus a check of its request line, so a
// client trickling bytes costs little, and garbage is refused as soon as its
// first line is complete.
func ParseRequest(b []byte, r *Request, lim Limits) (int, error) {
	n, code := parseRequest(b, r, lim)
	switch {
	case code != errNone:
		return 0, code.request()
	case n < 0:
		return 0, ErrIncomplete
	}
	return n, nil
}

func (r *Request) reset() {
	*r = Request{Headers: r.Headers[:0], ContentLength: -1}
}

// parseRequest returns the head length, or -1 when incomplete, or an error.
func parseRequest(b []byte, r *Request, lim Limits) (int, errCode) {
	r.reset()
	incomplete := errNone
	if max := lim.headBytes(); len(b) >= max {
		// A head needing more than max bytes is too large, whatever follows.
		b, incomplete = b[:max], errTooLarge
	}
	p, code := skipEmptyLines(b)
	if code != errNone || p < 0 {
		return -1, orElse(code, incomplete)
	}
	// The method is judged first, on raw bytes, so that garbage (a TLS hello,
	// say) is refused before its line is complete, and the answer does not
	// depend on how much of the line has arrived.
	if _, code := scanMethod(b[p:]); code != errNone {
		return -1, code
	}
	line, next, code := nextLine(b, p)
	if code != errNone || next < 0 {
		return -1, orElse(code, incomplete)
	}
	if code := r.parseRequestLine(line); code != errNone {
		return -1, code
	}
	if !hasHeadEnd(b[next-1:]) {
		return -1, incomplete
	}
	var f framing
	f.reset()
	hs, end, code := parseFields(b, next, r.Headers, lim.fieldLines(), &f, false)
	r.Headers = hs
	if code != errNone || end < 0 {
		return -1, orElse(code, incomplete)
	}
	if code := r.finish(&f); code != errNone {
		return -1, code
	}
	r.HeadLen = end
	return end, errNone
}

// parseFields parses header lines from b[p:] up to the empty line ending the
// head, appending to hs. end is the offset after that empty line, or -1 when
// b ends first.
func parseFields(b []byte, p int, hs []Header, maxLines int, f *framing, resp bool) ([]Header, int, errCode) {
	for {
		line, next, code := nextLine(b, p)
		if code != errNone || next < 0 {
			return hs, -1, code
		}
		if len(line) == 0 {
			return hs, next, errNone
		}
		if len(hs) >= maxLines {
			return hs, -1, errTooManyHeaders
		}
		if line, next, code = unfold(b, p, line, next); code != errNone || next < 0 {
			return hs, -1, code
		}
		name, value, code := splitField(line)
		if code != errNone {
			return hs, -1, code
		}
		if code := f.field(name, value, resp); code != errNone {
			return hs, -1, code
		}
		hs = append(hs, Header{Name: name, Value: value})
		p = next
	}
}

// unfold joins the obs-fold continuation lines (RFC 9112 §5.2: lines
// starting with SP or HTAB) that follow the field line at b[start:], as
// HAProxy 2.6 does: the CR and LF of each fold are replaced by spaces in
// place, so the field's value reads "a   b" and the head stays forwardable
// as it is. It returns the joined line and the offset after it, or next -1
// when the continuation is not complete yet.
func unfold(b []byte, start int, line []byte, next int) ([]byte, int, errCode) {
	for next < len(b) && (b[next] == ' ' || b[next] == '\t') {
		cont, after, code := nextLine(b, next)
		if code != errNone || after < 0 {
			return nil, -1, code
		}
		for k := start + len(line); k < next; k++ {
			b[k] = ' '
		}
		line = b[start : next+len(cont)]
		next = after
	}
	return line, next, errNone
}

// scanMethod scans a method from the start of b, which may be a whole line
// or the start of one. It returns the offset of the SP after the method, or
// -1 when b ends (or reaches a CR or LF, judged once the line is complete)
// before the SP.
func scanMethod(b []byte) (int, errCode) {
	for i, c := range b {
		switch {
		case tokenChar[c]:
		case c == ' ' && i > 0:
			return i, errNone
		case c == ' ':
			return 0, errBadRequestLine
		case c == '\r' || c == '\n':
			return -1, errNone
		default:
			return 0, errBadMethod
		}
	}
	return -1, errNone
}

// parseRequestLine checks METHOD SP URI SP HTTP/1.x (single spaces, RFC
// 9112 §3) and splits the URI.
func (r *Request) parseRequestLine(line []byte) errCode {
	sp, code := scanMethod(line)
	switch {
	case code != errNone:
		return code
	case sp < 0: // a lone token: HTTP/0.9 or junk
		return errBadRequestLine
	}
	r.Method = line[:sp]
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 { // no version (HTTP/0.9), or two spaces
		return errBadRequestLine
	}
	r.URI = rest[:sp]
	for _, c := range r.URI {
		if !uriChar[c] {
			return errBadURI
		}
	}
	ver := rest[sp+1:]
	minor, ok := parseVersion(ver)
	if !ok {
		if bytes.IndexByte(ver, ' ') >= 0 {
			return errBadRequestLine
		}
		return errBadVersion
	}
	r.Minor = minor
	return r.parseTarget()
}

// slash is the Path of an absolute-form URI without a path.
var slash = []byte("/")

// parseTarget splits URI into Path, Query and, for absolute-form, Host
// (RFC 9112 §3.2).
func (r *Request) parseTarget() errCode {
	u := r.URI
	switch {
	case string(r.Method) == "CONNECT":
		if !isAuthorityForm(u) {
			return errBadURI
		}
		r.Host = u
	case u[0] == '/':
		r.Path, r.Query = splitQuery(u)
	case len(u) == 1 && u[0] == '*':
		if string(r.Method) != "OPTIONS" {
			return errBadURI
		}
		r.Path = u
	default:
		return r.parseAbsolute(u)
	}
	return errNone
}

func splitQuery(u []byte) (path, query []byte) {
	if i := bytes.IndexByte(u, '?'); i >= 0 {
		return u[:i], u[i+1:]
	}
	return u, nil
}

// parseAbsolute handles scheme "://" authority [path] ["?" query].
func (r *Request) parseAbsolute(u []byte) errCode {
	i := 0
	for i < len(u) && isSchemeChar(u[i], i == 0) {
		i++
	}
	if i == 0 || len(u) < i+3 || string(u[i:i+3]) != "://" {
		return errBadURI
	}
	auth := u[i+3:]
	end := 0
	for end < len(auth) && auth[end] != '/' && auth[end] != '?' {
		end++
	}
	rest := auth[end:]
	auth = auth[:end]
	if at := bytes.LastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	if len(auth) == 0 {
		return errBadURI
	}
	r.Host = auth
	r.Path, r.Query = splitQuery(rest)
	if len(r.Path) == 0 {
		r.Path = slash
	}
	return errNone
}

func isSchemeChar(c byte, first bool) bool {
	alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	return alpha || !first && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')
}

// isAuthorityForm accepts host ":" port (RFC 9112 §3.2.3).
func isAuthorityForm(u []byte) bool {
	c := bytes.LastIndexByte(u, ':')
	if c <= 0 || c == len(u)-1 || bytes.IndexAny(u, "/?@") >= 0 {
		return false
	}
	for _, d := range u[c+1:] {
		if d < '0' || d > '9' {
			return false
		}
	}
	return true
}

// finish applies the rules that need the whole head.
func (r *Request) finish(f *framing) errCode {
	if f.te {
		if r.Minor == 0 {
			// RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
			return errTEInHTTP10
		}
		if f.contentLength >= 0 {
			// RFC 9112 §6.3 lets us reject; SPEC §5 wants a 400.
			return errContentLengthAndTE
		}
		r.Chunked = true // f.transferEncoding accepted exactly one "chunked"
	}
	r.ContentLength = f.contentLength
	r.KeepAlive = f.keepAlive(r.Minor)
	r.Expect100 = f.expect100 && r.Minor == 1
	r.Upgrade = f.connUpgrade && f.upgrade && r.Minor == 1
	switch {
	case r.Host == nil:
		r.Host = f.host
	case r.Path != nil && f.hosts > 0:
		// absolute-form: HAProxy refuses a Host that differs from the authority.
		if !bytes.EqualFold(f.host, r.Host) {
			return errHostMismatch
		}
	case f.hosts > 0: // CONNECT: the Host field wins, as sent
		r.Host = f.host
	}
	return errNone
}

// BodyMode tells how the request body is delimited: chunked, by
// Content-Length, or absent (RFC 9112 §6.3: a request without either has
// no body).
func (r *Request) BodyMode() BodyMode {
	switch {
	case r.Chunked:
		return BodyChunked
	case r.ContentLength > 0:
		return BodyLength
	}
	return BodyNone
}
