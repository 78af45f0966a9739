package logfmt

import (
	"net/netip"
	"strconv"
	"time"
)

const hexDigits = "0123456789ABCDEF"

// urlEncode marks the bytes HAProxy escapes in the request line (%r): the
// non-printable ones, '"' and '#' (src/log.c url_encode_map).
// hdrEncode adds '{', '|' and '}' for captured headers (hdr_encode_map).
var urlEncode, hdrEncode = func() (u, h [256]bool) {
	for i := 0; i < 32; i++ {
		u[i], h[i] = true, true
	}
	for i := 127; i < 256; i++ {
		u[i], h[i] = true, true
	}
	for _, c := range []byte(`"#`) {
		u[c], h[c] = true, true
	}
	for _, c := range []byte(`{|}`) {
		h[c] = true
	}
	return u, h
}()

// appendEscaped appends s with the bytes marked in enc written as '#'
// followed by two upper-case hex digits, as HAProxy's lf_encode_string.
func appendEscaped(dst []byte, s string, enc *[256]bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if enc[c] {
			dst = append(dst, '#', hexDigits[c>>4], hexDigits[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// appendOr appends s, or "-" when s is empty (HAProxy's empty field).
func appendOr(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	return append(dst, s...)
}

// appendClient appends %ci:%cp. IPv6 addresses are written without
// brackets, as HAProxy does ("::1:4242"); an invalid address is "-:-"...
// HAProxy writes "unix:1" style values for UNIX sockets, which have no
// netip representation; callers pass the zero AddrPort and get "-:-".
func appendClient(dst []byte, ap netip.AddrPort) []byte {
	if !ap.IsValid() {
		return append(dst, "-:-"...)
	}
	dst = ap.Addr().Unmap().AppendTo(dst)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, uint64(ap.Port()), 10)
}

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendDate appends HAProxy's accept date, "25/Nov/2026:11:19:24.123", in
// t's location (HAProxy logs local time).
func appendDate(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	dst = append2(dst, day)
	dst = append(dst, '/')
	dst = append(dst, monthNames[month-1]...)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(year), 10)
	dst = append(dst, ':')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, min)
	dst = append(dst, ':')
	dst = append2(dst, sec)
	ms := t.Nanosecond() / int(time.Millisecond)
	return append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
}

// appendGMTDate appends the CLF date "25/Nov/2026:11:19:24 +0000" (%trg).
func appendGMTDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	dst = append2(dst, day)
	dst = append(dst, '/')
	dst = append(dst, monthNames[month-1]...)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(year), 10)
	dst = append(dst, ':')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, min)
	dst = append(dst, ':')
	dst = append2(dst, sec)
	return append(dst, " +0000"...)
}

func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10%10), byte('0'+n%10))
}

// appendTimer appends a timer in milliseconds; a negative value ("never
// reached") is written as -1, as HAProxy does.
func appendTimer(dst []byte, ms int64) []byte {
	if ms < 0 {
		return append(dst, '-', '1')
	}
	return strconv.AppendInt(dst, ms, 10)
}

// appendState appends a termination state of len(s) characters, a zero byte
// being written as '-'.
func appendState(dst []byte, s []byte) []byte {
	for _, c := range s {
		if c == 0 {
			c = '-'
		}
		dst = append(dst, c)
	}
	return dst
}

// Ms converts an engine duration to a log timer: whole milliseconds, or -1
// when d is negative (the phase was never reached).
func Ms(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return int64(d / time.Millisecond)
}

// appendHead appends what the httplog and tcplog lines start with:
// "CLIENT:PORT [DATE] FRONTEND BACKEND/SERVER ".
func appendHead(dst []byte, client netip.AddrPort, date time.Time, frontend string, tls bool, backend, server string) []byte {
	dst = appendClient(dst, client)
	dst = append(dst, ' ', '[')
	dst = appendDate(dst, date)
	dst = append(dst, ']', ' ')
	dst = appendFrontend(dst, frontend, tls)
	dst = append(dst, ' ')
	dst = appendBackendServer(dst, frontend, backend, server)
	return append(dst, ' ')
}
