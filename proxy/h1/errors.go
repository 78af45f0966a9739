package h1

import "errors"

// ErrIncomplete reports that the buffer does not hold a complete head yet and
// is still below the size limit: read more bytes and call the parser again.
var ErrIncomplete = errors.New("h1: incomplete head")

// ParseError is a malformed message. Status is the answer HAProxy gives for it:
// 400 for a request head, 502 for a response head (the engine sends the 502
// to the client and closes the server connection). Reason is a short text for
// logs. The parsers return shared, read-only *ParseError values so that a
// flood of garbage costs no allocation; never modify one.
type ParseError struct {
	Reason string
	Status int
}

func (e *ParseError) Error() string { return "h1: " + e.Reason }

// errCode names one parse failure; it is turned into a *ParseError of the
// right side (request 400, response 502) only at the API boundary.
type errCode uint8

const (
	errNone errCode = iota
	errTooLarge
	errTooManyHeaders
	errBareCR
	errNUL
	errObsFold
	errSpaceBeforeColon
	errBadHeaderName
	errBadRequestLine
	errBadMethod
	errBadURI
	errBadVersion
	errBadStatusLine
	errBadStatus
	errBadReason
	errBadContentLength
	errConflictingContentLength
	errContentLengthAndTE
	errBadTransferEncoding
	errChunkedTwice
	errTEInHTTP10
	errMultipleHost
	errHostMismatch
	// chunked body framing
	errBadChunkSize
	errChunkSizeOverflow
	errBadChunkExt
	errChunkMissingCRLF
	errBadTrailer
	errTrailersTooLarge
	errChunkLineTooLong
	numErrCodes
)

var errReasons = [numErrCodes]string{
	errTooLarge:                 "head larger than the buffer limit",
	errTooManyHeaders:           "too many header fields",
	errBareCR:                   "bare CR in head",
	errNUL:                      "NUL byte in header field",
	errObsFold:                  "obsolete line folding",
	errSpaceBeforeColon:         "whitespace between header name and colon",
	errBadHeaderName:            "invalid header name",
	errBadRequestLine:           "malformed request line",
	errBadMethod:                "invalid method",
	errBadURI:                   "invalid request URI",
	errBadVersion:               "unsupported HTTP version",
	errBadStatusLine:            "malformed status line",
	errBadStatus:                "invalid status code",
	errBadReason:                "invalid reason phrase",
	errBadContentLength:         "invalid Content-Length",
	errConflictingContentLength: "conflicting Content-Length values",
	errContentLengthAndTE:       "both Content-Length and Transfer-Encoding",
	errBadTransferEncoding:      "unsupported Transfer-Encoding",
	errChunkedTwice:             "chunked applied more than once",
	errTEInHTTP10:               "Transfer-Encoding in HTTP/1.0 message",
	errMultipleHost:             "multiple Host header fields",
	errHostMismatch:             "Host differs from the URI authority",
	errBadChunkSize:             "invalid chunk size",
	errChunkSizeOverflow:        "chunk size too large",
	errBadChunkExt:              "invalid chunk extension",
	errChunkMissingCRLF:         "missing CRLF in chunked framing",
	errBadTrailer:               "invalid trailer field",
	errTrailersTooLarge:         "trailer section too large",
	errChunkLineTooLong:         "chunk size line too long",
}

// Preallocated errors, one per code and side.
var (
	requestErrs  = makeErrs(400)
	responseErrs = makeErrs(502)
)

func makeErrs(status int) *[numErrCodes]ParseError {
	var t [numErrCodes]ParseError
	for i := range t {
		t[i] = ParseError{Reason: errReasons[i], Status: status}
	}
	return &t
}

func (c errCode) request() error  { return &requestErrs[c] }
func (c errCode) response() error { return &responseErrs[c] }

// orElse returns c, or alt when c is errNone.
func orElse(c, alt errCode) errCode {
	if c != errNone {
		return c
	}
	return alt
}
