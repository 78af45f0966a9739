package h1

import "strconv"

// AppendRequestLine appends "METHOD SP URI SP HTTP/1.m CRLF" to dst. A minor
// other than 0 writes HTTP/1.1.
func AppendRequestLine(dst []byte, method, uri []byte, minor int) []byte {
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, uri...)
	dst = append(dst, " HTTP/1."...)
	dst = append(dst, minorDigit(minor), '\r', '\n')
	return dst
}

// AppendStatusLine appends "HTTP/1.m SP STATUS SP REASON CRLF" to dst. The
// space before an empty reason is kept, as RFC 9112 §4 requires.
func AppendStatusLine(dst []byte, minor, status int, reason []byte) []byte {
	dst = append(dst, "HTTP/1."...)
	dst = append(dst, minorDigit(minor), ' ')
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, reason...)
	dst = append(dst, '\r', '\n')
	return dst
}

// AppendHeader appends "NAME: VALUE CRLF" to dst.
func AppendHeader(dst []byte, name, value []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	dst = append(dst, '\r', '\n')
	return dst
}

// AppendHead appends every header of hs and the empty line ending a head.
func AppendHead(dst []byte, hs []Header) []byte {
	for i := range hs {
		dst = AppendHeader(dst, hs[i].Name, hs[i].Value)
	}
	return append(dst, '\r', '\n')
}

// AppendChunkSize appends the size line of an n-byte chunk ("1a2b CRLF"),
// for bodies the proxy generates itself; n = 0 writes the last-chunk line
// (follow it with the empty line ending the trailer section).
func AppendChunkSize(dst []byte, n int) []byte {
	dst = strconv.AppendUint(dst, uint64(n), 16)
	return append(dst, '\r', '\n')
}

func minorDigit(minor int) byte {
	if minor == 0 {
		return '0'
	}
	return '1'
}
