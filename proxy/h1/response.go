package h1

import "bytes"

// Response is a parsed response head. Its byte slices point into the buffer
// given to ParseResponse.
type Response struct {
	Minor   int // 0 or 1
	Status  int // 100-999
	Reason  []byte
	Headers []Header // in order; reused across calls (reset to [:0])
	// ContentLength is -1 when absent or ignored.
	ContentLength int64
	// Chunked: the final transfer coding is chunked.
	Chunked bool
	// KeepAlive: the Connection field lets the connection persist (RFC 9112
	// §9.3). The body must also not run until close (see BodyMode).
	KeepAlive bool
	// ContentLengthIgnored: the response had both Content-Length and
	// Transfer-Encoding; Transfer-Encoding wins (RFC 9112 §6.3 rule 3) and the
	// forwarder must drop the Content-Length field before sending the head on.
	ContentLengthIgnored bool
	HeadLen              int

	// teUntilClose: Transfer-Encoding present, final coding not chunked.
	teUntilClose bool
}

// BodyMode says how a message body is delimited.
type BodyMode uint8

const (
	BodyNone       BodyMode = iota // no body, or an empty one
	BodyLength                     // ContentLength bytes
	BodyChunked                    // chunked framing; see ChunkedScanner
	BodyUntilClose                 // everything until the server closes
)

func (m BodyMode) String() string {
	switch m {
	case BodyNone:
		return "none"
	case BodyLength:
		return "length"
	case BodyChunked:
		return "chunked"
	case BodyUntilClose:
		return "until-close"
	}
	return "invalid"
}

// ParseResponse parses the response head at the start of b into r, with the
// results of ParseRequest; errors are *ParseError values of Status 502.
// Interim 1xx responses are heads of their own: parse again after them.
func ParseResponse(b []byte, r *Response, lim Limits) (int, error) {
	n, code := parseResponse(b, r, lim)
	switch {
	case code != errNone:
		return 0, code.response()
	case n < 0:
		return 0, ErrIncomplete
	}
	return n, nil
}

func (r *Response) reset() {
	*r = Response{Headers: r.Headers[:0], ContentLength: -1}
}

func parseResponse(b []byte, r *Response, lim Limits) (int, errCode) {
	r.reset()
	incomplete := errNone
	if max := lim.headBytes(); len(b) >= max {
		b, incomplete = b[:max], errTooLarge
	}
	p, code := skipEmptyLines(b)
	if code != errNone || p < 0 {
		return -1, orElse(code, incomplete)
	}
	line, next, code := nextLine(b, p)
	if code != errNone || next < 0 {
		return -1, orElse(code, incomplete)
	}
	if code := r.parseStatusLine(line); code != errNone {
		return -1, code
	}
	if !hasHeadEnd(b[next-1:]) {
		return -1, incomplete
	}
	var f framing
	f.reset()
	hs, end, code := parseFields(b, next, r.Headers, lim.fieldLines(), &f, true)
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

// parseStatusLine checks HTTP/1.x SP 3DIGIT [SP reason]. A status line
// without the space and reason is accepted, as HAProxy does.
func (r *Response) parseStatusLine(line []byte) errCode {
	if len(line) < 12 || line[8] != ' ' {
		return errBadStatusLine
	}
	minor, ok := parseVersion(line[:8])
	if !ok {
		return errBadVersion
	}
	r.Minor = minor
	st := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return errBadStatus
		}
		st = st*10 + int(c-'0')
	}
	if st < 100 {
		return errBadStatus
	}
	r.Status = st
	switch {
	case len(line) == 12:
		r.Reason = line[12:]
	case line[12] != ' ':
		return errBadStatus
	default:
		r.Reason = line[13:]
		if bytes.IndexByte(r.Reason, 0) >= 0 {
			return errBadReason
		}
	}
	return errNone
}

// finish applies the rules that need the whole head. Transfer-Encoding in
// an HTTP/1.0 response is refused as in a request (RFC 9112 §6.1); with both
// Transfer-Encoding and Content-Length, Transfer-Encoding wins.
func (r *Response) finish(f *framing) errCode {
	r.ContentLength = f.contentLength
	if f.te {
		if r.Minor == 0 {
			return errTEInHTTP10
		}
		if f.contentLength >= 0 {
			r.ContentLength = -1
			r.ContentLengthIgnored = true
		}
		r.Chunked = f.lastChunked
		r.teUntilClose = !f.lastChunked
	}
	r.KeepAlive = f.keepAlive(r.Minor)
	return errNone
}

// BodyMode tells how the body of this response is delimited given the
// method of its request (RFC 9112 §6.3): none for HEAD, 1xx, 204, 304 and a
// 2xx to CONNECT (the connection becomes a tunnel), then chunked, then
// Content-Length (none when 0), else until the server closes.
func (r *Response) BodyMode(reqMethod []byte) BodyMode {
	switch {
	case string(reqMethod) == "HEAD",
		r.Status < 200, r.Status == 204, r.Status == 304,
		r.Status < 300 && string(reqMethod) == "CONNECT":
		return BodyNone
	case r.Chunked:
		return BodyChunked
	case r.teUntilClose:
		return BodyUntilClose
	case r.ContentLength == 0:
		return BodyNone
	case r.ContentLength > 0:
		return BodyLength
	}
	return BodyUntilClose
}
