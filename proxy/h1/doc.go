// Package h1 is the HTTP/1.1 codec of the L7 proxy: allocation-free parsers
// for request and response heads over the caller's buffer, a scanner for
// chunked bodies that are forwarded byte for byte, and appenders for the
// heads the proxy writes.
//
// References: RFC 9112 (HTTP/1.1 message syntax), RFC 9110 (semantics), and
// HAProxy 2.6, whose behaviour an operator expects where the RFCs leave a
// choice (configuration manual: tune.bufsize, tune.maxrewrite,
// tune.http.maxhdr, option accept-invalid-http-request; src/h1.c).
//
// What is accepted, following HAProxy's H1 parser (src/h1.c):
//   - lines ending in CRLF or in a bare LF; empty lines before the start
//     line are skipped (RFC 9112 §2.2);
//   - Content-Length repeated with one value, in one field ("5, 5") or in
//     several, merged into one (h1_parse_cont_len_header);
//   - HTTP/1.2-1.9 read as HTTP/1.1 (RFC 9110 §2.5);
//   - a status line without reason phrase ("HTTP/1.1 200");
//   - other control bytes than NUL, CR and LF in field values, as HAProxy;
//   - obs-fold continuation lines (RFC 9112 §5.2), unfolded as HAProxy 2.6
//     does: the fold's CR and LF become spaces in place, so "X: a\r\n b"
//     reaches the server as "X: a   b" (the e2e differential test shows it).
//
// What is refused: 400 for a request, 502 for a response (ParseError.Status):
//   - a bare CR anywhere in the head, a NUL in a field, an empty or
//     non-token field name, whitespace before the colon, a fold line before
//     the first field (whitespace between start line and fields);
//   - a request line other than token SP URI SP HTTP/1.x with single
//     spaces; URI bytes outside 0x21-0x7E (HAProxy without
//     accept-invalid-http-request) and '#' (HAProxy since CVE-2023-45539);
//     HTTP/0.9, HTTP/2 and HTTP/3 lines; authority-form other than for
//     CONNECT, "*" other than for OPTIONS;
//   - Content-Length empty (HAProxy issue #2237), not all digits, above
//     2^63-1, or with differing values;
//   - in a request: Transfer-Encoding with any coding but one "chunked"
//     (HAProxy issue #1301), Transfer-Encoding together with Content-Length
//     (SPEC §5; HAProxy instead drops the Content-Length), more than one
//     Host field (RFC 9112 §3.2; HAProxy merges identical ones), a Host that
//     differs from the authority of an absolute-form URI (HAProxy);
//   - Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1), "chunked"
//     listed twice;
//   - a head longer than Limits.MaxHeadBytes (default 15360, HAProxy's
//     tune.bufsize minus tune.maxrewrite) or with more lines than
//     Limits.MaxHeaders (default 101 including the start line, HAProxy's
//     tune.http.maxhdr).
//
// Responses with both Transfer-Encoding and Content-Length follow RFC 9112
// §6.3 rule 3: Transfer-Encoding wins, the Content-Length is ignored and
// flagged (Response.ContentLengthIgnored) so that the engine drops it. A
// response whose final transfer coding is not chunked runs until close.
// A request without Host is accepted, as HAProxy 2.6 does.
//
// Parsing is restartable: the engine calls ParseRequest again on the grown
// buffer after ErrIncomplete. While the end of the head is missing, only
// its first line is checked and the rest is searched at memchr speed, so
// feeding a head one byte at a time gives the same answer as all at once.
package h1
