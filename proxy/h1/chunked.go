package h1

// ChunkedScanner follows the chunked framing of a body (RFC 9112 §7.1) that
// the proxy forwards byte for byte: it tells where the message ends and
// refuses invalid framing, and copies nothing. The zero value is ready.
//
// Strictness: chunk-size is 1*HEXDIG up to 2^62; whitespace may follow it
// only before ';' or CRLF (HAProxy tolerates it); extensions may hold any
// byte but controls other than HTAB; every line ends in CRLF (no bare LF or
// CR); trailer lines are token ":" value with no NUL and no folding. A size
// line or the trailer section longer than 15360 bytes is refused.
type ChunkedScanner struct {
	state   uint8
	size    uint64 // the chunk size being read, then data bytes left
	line    int    // bytes of the current size line
	trailer int    // bytes of the trailer section
}

const (
	csSize         = iota // at the first digit of a size line
	csSizeDigits          // inside the hex digits
	csSizeWS              // blanks after the digits
	csExt                 // inside chunk extensions
	csSizeLF              // CR seen at the end of the size line
	csData                // inside chunk data
	csDataCR              // CR expected after the data
	csDataLF              // LF expected after the data
	csTrailerStart        // start of a trailer line or of the final CRLF
	csTrailerName         // inside a trailer field name
	csTrailerValue        // inside a trailer field value
	csTrailerLF           // CR seen at the end of a trailer line
	csFinalLF             // CR seen on the empty final line
	csDone                // message complete
)

const (
	maxChunkSize    = 1 << 62
	maxChunkLine    = defaultMaxHeadBytes
	maxTrailerBytes = defaultMaxHeadBytes
)

// Reset makes s ready for a new body.
func (s *ChunkedScanner) Reset() { *s = ChunkedScanner{} }

// Done reports whether the whole body has been scanned.
func (s *ChunkedScanner) Done() bool { return s.state == csDone }

// Scan consumes the bytes of b that belong to the body: chunks, last chunk,
// trailers and the final CRLF. n < len(b) only when done (the rest is the
// next message) or on error, where n counts the bytes before the faulty one.
// Errors are *ParseError values of Status 400; the engine answers 502 when
// scanning a response body. Calling Scan after done returns (0, true, nil).
func (s *ChunkedScanner) Scan(b []byte) (n int, done bool, err error) {
	if s.state == csDone {
		return 0, true, nil
	}
	i := 0
	for i < len(b) {
		if s.state == csData {
			k := uint64(len(b) - i)
			if k > s.size {
				k = s.size
			}
			i += int(k)
			s.size -= k
			if s.size == 0 {
				s.state = csDataCR
			}
			continue
		}
		if code := s.step(b[i]); code != errNone {
			return i, false, code.request()
		}
		i++
		if s.state == csDone {
			return i, true, nil
		}
	}
	return i, false, nil
}

// step advances the state machine over one byte outside chunk data.
func (s *ChunkedScanner) step(c byte) errCode {
	switch s.state {
	case csSize, csSizeDigits, csSizeWS, csExt, csSizeLF:
		s.line++
		if s.line > maxChunkLine {
			return errChunkLineTooLong
		}
		return s.sizeLine(c)
	case csDataCR:
		if c != '\r' {
			return errChunkMissingCRLF
		}
		s.state = csDataLF
	case csDataLF:
		if c != '\n' {
			return errChunkMissingCRLF
		}
		s.state, s.size, s.line = csSize, 0, 0
	default:
		s.trailer++
		if s.trailer > maxTrailerBytes {
			return errTrailersTooLarge
		}
		return s.trailerLine(c)
	}
	return errNone
}

func (s *ChunkedScanner) sizeLine(c byte) errCode {
	switch s.state {
	case csSize:
		d, ok := unhex(c)
		if !ok {
			return errBadChunkSize
		}
		s.size, s.state = uint64(d), csSizeDigits
	case csSizeDigits:
		if d, ok := unhex(c); ok {
			if s.size > (maxChunkSize-uint64(d))/16 {
				return errChunkSizeOverflow
			}
			s.size = s.size*16 + uint64(d)
			return errNone
		}
		return s.afterSize(c)
	case csSizeWS:
		return s.afterSize(c)
	case csExt:
		switch {
		case c == '\r':
			s.state = csSizeLF
		case c == '\n':
			return errChunkMissingCRLF
		case c < 0x20 && c != '\t' || c == 0x7f:
			return errBadChunkExt
		}
	case csSizeLF:
		if c != '\n' {
			return errChunkMissingCRLF
		}
		if s.size == 0 {
			s.state, s.trailer = csTrailerStart, 0
		} else {
			s.state = csData
		}
	}
	return errNone
}

// afterSize handles a byte after the last hex digit.
func (s *ChunkedScanner) afterSize(c byte) errCode {
	switch c {
	case ' ', '\t':
		s.state = csSizeWS
	case ';':
		s.state = csExt
	case '\r':
		s.state = csSizeLF
	case '\n':
		return errChunkMissingCRLF
	default:
		return errBadChunkSize
	}
	return errNone
}

func (s *ChunkedScanner) trailerLine(c byte) errCode {
	switch s.state {
	case csTrailerStart:
		switch {
		case c == '\r':
			s.state = csFinalLF
		case c == '\n':
			return errChunkMissingCRLF
		case tokenChar[c]:
			s.state = csTrailerName
		default: // folding, empty name, invalid byte
			return errBadTrailer
		}
	case csTrailerName:
		switch {
		case c == ':':
			s.state = csTrailerValue
		case !tokenChar[c]:
			return errBadTrailer
		}
	case csTrailerValue:
		switch c {
		case '\r':
			s.state = csTrailerLF
		case '\n':
			return errChunkMissingCRLF
		case 0:
			return errBadTrailer
		}
	case csTrailerLF:
		if c != '\n' {
			return errChunkMissingCRLF
		}
		s.state = csTrailerStart
	case csFinalLF:
		if c != '\n' {
			return errChunkMissingCRLF
		}
		s.state = csDone
	}
	return errNone
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
