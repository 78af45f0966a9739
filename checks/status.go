package checks

import (
	"errors"
	"strconv"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// Status is the outcome of one check, with HAProxy's codes (src/check.c
// check_statuses). The zero value is StatusUnknown: no check has finished yet.
type Status uint8

const (
	StatusUnknown    Status = iota // UNK: no check finished yet
	StatusSockErr                  // SOCKERR: socket error after connect (reset, write failure)
	StatusL4OK                     // L4OK: TCP connect succeeded (TCP check passed)
	StatusL4Timeout                // L4TOUT: TCP connect timed out
	StatusL4Con                    // L4CON: TCP connect failed (refused, unreachable)
	StatusL7Timeout                // L7TOUT: no complete HTTP response in time
	StatusL7Response               // L7RSP: invalid or truncated HTTP response
	StatusL7OK                     // L7OK: HTTP status accepted
	StatusL7OKCond                 // L7OKC: 404 under disable_on_404: passed, server stops taking new traffic
	StatusL7Status                 // L7STS: HTTP status not accepted
	numStatus
)

var statusNames = [numStatus]struct{ short, desc string }{
	StatusUnknown:    {"UNK", "Unknown"},
	StatusSockErr:    {"SOCKERR", "Socket error"},
	StatusL4OK:       {"L4OK", "Layer4 check passed"},
	StatusL4Timeout:  {"L4TOUT", "Layer4 timeout"},
	StatusL4Con:      {"L4CON", "Layer4 connection problem"},
	StatusL7Timeout:  {"L7TOUT", "Layer7 timeout"},
	StatusL7Response: {"L7RSP", "Layer7 invalid response"},
	StatusL7OK:       {"L7OK", "Layer7 check passed"},
	StatusL7OKCond:   {"L7OKC", "Layer7 check conditionally passed"},
	StatusL7Status:   {"L7STS", "Layer7 wrong status"},
}

// String returns HAProxy's short code, as in the stats page's check_status
// column: "L7OK", "L4CON", ...
func (s Status) String() string {
	if s >= numStatus {
		return statusNames[StatusUnknown].short
	}
	return statusNames[s].short
}

// Description returns HAProxy's long wording, used after "reason: " in logs:
// "Layer7 wrong status", "Layer4 connection problem", ...
func (s Status) Description() string {
	if s >= numStatus {
		return statusNames[StatusUnknown].desc
	}
	return statusNames[s].desc
}

// Passed reports whether the status counts as a success for rise/fall
// (L4OK, L7OK and L7OKC).
func (s Status) Passed() bool {
	return s == StatusL4OK || s == StatusL7OK || s == StatusL7OKCond
}

// Failed reports whether the status counts as a failure for rise/fall.
func (s Status) Failed() bool { return s != StatusUnknown && !s.Passed() }

// HasCode reports whether HAProxy prints ", code: N" for this status: only
// the statuses that carry layer 7 data (HCHK_STATUS_L57DATA and above).
func (s Status) HasCode() bool {
	return s == StatusL7OK || s == StatusL7OKCond || s == StatusL7Status
}

// Result is one finished check.
type Result struct {
	Status   Status
	Code     int           // HTTP status code; meaningful when Status.HasCode()
	Info     string        // HAProxy's check "desc": reason phrase on L7STS, strerror on L4CON/SOCKERR
	Duration time.Duration // from the start of the connect to the verdict
}

// maxInfo is HAProxy's HCHK_DESC_LEN-1: longer descriptions are cut.
const maxInfo = 127

// AppendReason appends HAProxy's check_append_info fragment, without the
// leading ", ": `reason: Layer7 wrong status, code: 404, info: "Not Found",
// check duration: 1ms`. Durations are whole milliseconds, truncated, as
// HAProxy's ns_to_ms.
func (r Result) AppendReason(b []byte) []byte {
	b = append(b, "reason: "...)
	b = append(b, r.Status.Description()...)
	if r.Status.HasCode() {
		b = append(b, ", code: "...)
		b = strconv.AppendInt(b, int64(r.Code), 10)
	}
	if r.Info != "" {
		b = append(b, `, info: "`...)
		b = appendASCIIEncoded(b, r.Info, '"')
		b = append(b, '"')
	}
	if r.Duration >= 0 {
		b = append(b, ", check duration: "...)
		b = strconv.AppendInt(b, r.Duration.Milliseconds(), 10)
		b = append(b, "ms"...)
	}
	return b
}

// Reason returns AppendReason as a string.
func (r Result) Reason() string { return string(r.AppendReason(make([]byte, 0, 96))) }

// appendASCIIEncoded is HAProxy's chunk_asciiencode: bytes that are not
// printable ASCII, '<', '>' and the quote character become "<XX>". At most
// maxInfo input bytes are used, as HAProxy stores the description in a
// 128-byte buffer.
func appendASCIIEncoded(b []byte, s string, quote byte) []byte {
	const hex = "0123456789ABCDEF"
	if len(s) > maxInfo {
		s = s[:maxInfo]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == quote {
			b = append(b, '<', hex[c>>4], hex[c&0xf], '>')
			continue
		}
		b = append(b, c)
	}
	return b
}

// strerror returns the C library's wording for err's errno, which is what
// HAProxy puts in the info of L4CON and SOCKERR: "Connection refused".
// Go's syscall table holds the same strings in lower case.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	s := errno.Error()
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
