package h1

// framing accumulates what the header fields that matter to a proxy say
// about a message: its body length, persistence, Host, Expect and Upgrade.
type framing struct {
	contentLength int64 // -1 when absent
	te            bool  // a Transfer-Encoding field was seen
	chunked       int   // how many "chunked" codings were listed
	lastChunked   bool  // the final coding listed is chunked
	connClose     bool
	connKeepAlive bool
	connUpgrade   bool
	hosts         int
	host          []byte
	expect100     bool
	upgrade       bool
}

func (f *framing) reset() { *f = framing{contentLength: -1} }

// field records one header field. resp selects the response rules.
func (f *framing) field(name, value []byte, resp bool) errCode {
	switch len(name) {
	case 4:
		if !resp && equalFold(name, "host") {
			f.hosts++
			if f.hosts > 1 {
				// RFC 9112 §3.2: more than one Host field line is a 400.
				return errMultipleHost
			}
			f.host = value
		}
	case 6:
		if !resp && equalFold(name, "expect") && equalFold(value, "100-continue") {
			f.expect100 = true
		}
	case 7:
		if !resp && equalFold(name, "upgrade") {
			f.upgrade = true
		}
	case 10:
		if equalFold(name, "connection") {
			f.connection(value)
		}
	case 14:
		if equalFold(name, "content-length") {
			return f.contentLengthField(value)
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			return f.transferEncoding(value, resp)
		}
	}
	return errNone
}

func (f *framing) connection(v []byte) {
	for {
		el, rest := nextElement(v)
		switch {
		case equalFold(el, "close"):
			f.connClose = true
		case equalFold(el, "keep-alive"):
			f.connKeepAlive = true
		case equalFold(el, "upgrade"):
			f.connUpgrade = true
		}
		if rest == nil {
			return
		}
		v = rest
	}
}

// contentLengthField parses a Content-Length value: one or more decimal
// numbers separated by commas, all equal to each other and to any earlier
// Content-Length field. Identical duplicates are merged as HAProxy's
// h1_parse_cont_len_header does (RFC 9110 §8.6 allows it); anything else,
// an empty element or a value above 2^63-1 included, is invalid.
func (f *framing) contentLengthField(v []byte) errCode {
	for {
		el, rest := nextElement(v)
		n, ok := parseDecimal(el)
		if !ok {
			return errBadContentLength
		}
		if f.contentLength >= 0 && n != f.contentLength {
			return errConflictingContentLength
		}
		f.contentLength = n
		if rest == nil {
			return errNone
		}
		v = rest
	}
}

// parseDecimal parses 1*DIGIT into a non-negative int64.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	const maxInt64 = 1<<63 - 1
	var n int64
	for _, c := range b {
		d := int64(c) - '0'
		if d < 0 || d > 9 {
			return 0, false
		}
		if n > (maxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// transferEncoding records a Transfer-Encoding list. In a request the only
// coding accepted is a single "chunked" (RFC 9112 §6.3 rule 4 lets a server
// reject others; HAProxy answers 400 since its fix for issue #1301). In a
// response other codings may precede chunked; a list whose final coding is
// not chunked makes the body run until close (RFC 9112 §6.3 rule 4). In both,
// chunked listed twice, or an empty element, is invalid.
func (f *framing) transferEncoding(v []byte, resp bool) errCode {
	f.te = true
	for {
		el, rest := nextElement(v)
		switch {
		case len(el) == 0:
			return errBadTransferEncoding
		case equalFold(el, "chunked"):
			f.chunked++
			if f.chunked > 1 {
				return errChunkedTwice
			}
			f.lastChunked = true
		case !resp || !isCoding(el):
			return errBadTransferEncoding
		default:
			f.lastChunked = false
		}
		if rest == nil {
			return errNone
		}
		v = rest
	}
}

// isCoding accepts a transfer-coding: a token, optionally with parameters,
// which are not interpreted.
func isCoding(b []byte) bool {
	i := 0
	for i < len(b) && tokenChar[b[i]] {
		i++
	}
	return i > 0 && (i == len(b) || b[i] == ';' || b[i] == ' ' || b[i] == '\t')
}

// keepAlive applies RFC 9112 §9.3: HTTP/1.1 persists unless "close" is
// listed; HTTP/1.0 persists only with "keep-alive" and no "close".
func (f *framing) keepAlive(minor int) bool {
	if f.connClose {
		return false
	}
	return minor >= 1 || f.connKeepAlive
}

// parseVersion parses "HTTP/1.x". Minor versions above 1 are treated as 1.1,
// as RFC 9110 §2.5 tells a recipient to; HTTP/0.9, 2 and 3 are refused.
func parseVersion(v []byte) (minor int, ok bool) {
	if len(v) != 8 || string(v[:7]) != "HTTP/1." || v[7] < '0' || v[7] > '9' {
		return 0, false
	}
	if v[7] == '0' {
		return 0, true
	}
	return 1, true
}
