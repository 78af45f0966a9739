package checks

import (
	"bytes"
	"errors"
)

// maxResponseHead bounds the response head a check reads, as HAProxy's
// default tune.bufsize (16 kB) does; a longer head is an invalid response.
const maxResponseHead = 16384

var (
	errNotHTTP      = errors.New("not an HTTP/1.x status line")
	errBadStatus    = errors.New("invalid status code")
	errBadHeader    = errors.New("invalid header line")
	errHeadTooLarge = errors.New("response head too large")
)

// responseHead is what a check keeps of a response.
type responseHead struct {
	code   int
	reason []byte // aliases the parsed buffer
}

// parseResponseHead parses the head of an HTTP/1.x response at the start of
// buf. It returns done=false (and no error) while buf is a valid but
// incomplete head; err as soon as buf cannot be the start of a valid head.
// It allocates nothing.
func parseResponseHead(buf []byte) (h responseHead, done bool, err error) {
	line, rest, ok := cutLine(buf)
	if !ok {
		if err := statusLinePrefixOK(buf); err != nil {
			return h, false, err
		}
		if len(buf) >= maxResponseHead {
			return h, false, errHeadTooLarge
		}
		return h, false, nil
	}
	if h, err = parseStatusLine(line); err != nil {
		return h, false, err
	}
	for {
		line, next, ok := cutLine(rest)
		if !ok {
			if bytes.IndexByte(rest, 0) >= 0 {
				return h, false, errBadHeader
			}
			if len(buf) >= maxResponseHead {
				return h, false, errHeadTooLarge
			}
			return h, false, nil
		}
		if len(line) == 0 {
			if len(buf)-len(next) > maxResponseHead {
				return h, false, errHeadTooLarge
			}
			return h, true, nil
		}
		if !validHeaderLine(line) {
			return h, false, errBadHeader
		}
		rest = next
	}
}

// cutLine splits buf at the first LF, dropping a CR before it.
func cutLine(buf []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(buf, '\n')
	if i < 0 {
		return nil, buf, false
	}
	line = buf[:i]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, buf[i+1:], true
}

const httpPrefix = "HTTP/"

// statusLinePrefixOK rejects an incomplete status line early when its first
// bytes already cannot form "HTTP/d.d ddd".
func statusLinePrefixOK(buf []byte) error {
	const shape = "HTTP/9.9 999"
	for i := 0; i < len(buf) && i < len(shape); i++ {
		c := buf[i]
		switch s := shape[i]; s {
		case '9':
			if c < '0' || c > '9' {
				return errNotHTTP
			}
		default:
			if c != s {
				return errNotHTTP
			}
		}
	}
	if len(buf) > len(shape) && buf[len(shape)] != ' ' && buf[len(shape)] != '\r' {
		return errBadStatus
	}
	return nil
}

// parseStatusLine parses `HTTP/1.1 404 Not Found` (reason optional).
func parseStatusLine(line []byte) (responseHead, error) {
	var h responseHead
	if len(line) < len("HTTP/1.1 200") || !bytes.HasPrefix(line, []byte(httpPrefix)) ||
		!isDigit(line[5]) || line[6] != '.' || !isDigit(line[7]) || line[8] != ' ' {
		return h, errNotHTTP
	}
	c := line[9:12]
	if !isDigit(c[0]) || !isDigit(c[1]) || !isDigit(c[2]) {
		return h, errBadStatus
	}
	h.code = int(c[0]-'0')*100 + int(c[1]-'0')*10 + int(c[2]-'0')
	if h.code < 100 {
		return h, errBadStatus
	}
	rest := line[12:]
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return h, errBadStatus
		}
		rest = rest[1:]
	}
	for _, b := range rest {
		if b == 0 || b == '\r' {
			return h, errNotHTTP
		}
	}
	h.reason = rest
	return h, nil
}

// validHeaderLine accepts `name: value` and obsolete folded continuation
// lines (starting with SP or HTAB).
func validHeaderLine(line []byte) bool {
	if line[0] == ' ' || line[0] == '\t' {
		return validFieldValue(line)
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return false
	}
	for _, c := range line[:colon] {
		if !isTokenChar(c) {
			return false
		}
	}
	return validFieldValue(line[colon+1:])
}

func validFieldValue(v []byte) bool {
	for _, c := range v {
		if c == 0 || c == '\r' || (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
