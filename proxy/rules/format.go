package rules

import (
	"fmt"
	"strings"

	"haappliance/proxy/acl"
)

// fetch is one %[...] sample of a value.
type fetch uint8

const (
	fLiteral fetch = iota
	fSrc
	fPath
	fURL
	fQuery
	fMethod
	fSSL
	fHdr     // last comma-separated value of the last occurrence
	fFullHdr // last full field value
	fStatus
)

type part struct {
	kind fetch
	text []byte // literal text, or the header name
}

// Format is a parsed log-format value: literal text and %[...] fetches.
type Format struct {
	parts []part
	raw   string
}

// String returns the value as written.
func (f *Format) String() string { return f.raw }

// static reports whether the value has no fetch, and returns its text.
func (f *Format) static() ([]byte, bool) {
	switch {
	case len(f.parts) == 0:
		return nil, true
	case len(f.parts) == 1 && f.parts[0].kind == fLiteral:
		return f.parts[0].text, true
	}
	return nil, false
}

// parseFormat parses a log-format string. response selects the fetches of
// http-response rules.
func parseFormat(s string, response bool) (*Format, error) {
	f := &Format{raw: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			f.parts = append(f.parts, part{kind: fLiteral, text: []byte(lit.String())})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		if i+1 >= len(s) || s[i+1] != '[' {
			end := min(len(s), i+3)
			return nil, fmt.Errorf("log-format variable '%s' is not supported (only literal text and %%[fetch] samples; write %%%% for a '%%')", s[i:end])
		}
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			return nil, fmt.Errorf("missing ']' after '%s'", s[i:])
		}
		p, err := parseFetch(s[i+2:i+j], response)
		if err != nil {
			return nil, err
		}
		flush()
		f.parts = append(f.parts, p)
		i += j
	}
	flush()
	return f, nil
}

func parseFetch(expr string, response bool) (part, error) {
	if strings.Contains(expr, ",") && !strings.Contains(expr, "(") || strings.Contains(expr, "),") {
		return part{}, fmt.Errorf("converters are not supported in '%%[%s]'", expr)
	}
	name, arg, hasArg := strings.Cut(expr, "(")
	if hasArg {
		if !strings.HasSuffix(arg, ")") {
			return part{}, fmt.Errorf("missing ')' in '%%[%s]'", expr)
		}
		arg = strings.TrimSuffix(arg, ")")
		if strings.Contains(arg, ",") {
			return part{}, fmt.Errorf("occurrence arguments are not supported in '%%[%s]'", expr)
		}
	}
	reqOnly := func(k fetch) (part, error) {
		if response {
			return part{}, fmt.Errorf("fetch '%s' is not available in http_response rules", name)
		}
		return part{kind: k}, nil
	}
	needArg := func(k fetch) (part, error) {
		if !hasArg || arg == "" {
			return part{}, fmt.Errorf("fetch '%s' needs a header name", name)
		}
		return part{kind: k, text: []byte(strings.ToLower(arg))}, nil
	}
	if hasArg && !strings.HasSuffix(name, "hdr") {
		return part{}, fmt.Errorf("fetch '%s' takes no argument", name)
	}
	switch name {
	case "src":
		return part{kind: fSrc}, nil
	case "ssl_fc":
		return part{kind: fSSL}, nil
	case "path":
		return reqOnly(fPath)
	case "url":
		return reqOnly(fURL)
	case "query":
		return reqOnly(fQuery)
	case "method":
		return reqOnly(fMethod)
	case "status":
		if !response {
			return part{}, fmt.Errorf("fetch 'status' is only available in http_response rules")
		}
		return part{kind: fStatus}, nil
	case "hdr":
		return needArg(fHdr)
	case "req.hdr", "req.fhdr":
		if response {
			return part{}, fmt.Errorf("fetch '%s' is not available in http_response rules", name)
		}
	case "res.hdr", "res.fhdr":
		if !response {
			return part{}, fmt.Errorf("fetch '%s' is only available in http_response rules", name)
		}
	default:
		return part{}, fmt.Errorf("unsupported fetch '%s' in log-format value (supported: src, ssl_fc, path, url, query, method, status, hdr(), req.hdr(), req.fhdr(), res.hdr(), res.fhdr())", name)
	}
	if strings.HasSuffix(name, ".fhdr") {
		return needArg(fFullHdr)
	}
	return needArg(fHdr)
}

// appendValue renders f for smp. status is the response status (0 on
// requests).
func (f *Format) appendValue(dst []byte, smp acl.Sample, status int) []byte {
	for i := range f.parts {
		p := &f.parts[i]
		switch p.kind {
		case fLiteral:
			dst = append(dst, p.text...)
		case fSrc:
			if a := smp.Src(); a.IsValid() {
				dst, _ = a.AppendText(dst)
			}
		case fSSL:
			if smp.SSL() {
				dst = append(dst, '1')
			} else {
				dst = append(dst, '0')
			}
		case fPath:
			dst = append(dst, smp.Path()...)
		case fURL:
			dst = append(dst, smp.URI()...)
		case fQuery:
			dst = append(dst, smp.Query()...)
		case fMethod:
			dst = append(dst, smp.Method()...)
		case fStatus:
			dst = appendInt(dst, status)
		case fHdr, fFullHdr:
			dst = append(dst, lastHeader(smp, p.text, p.kind == fHdr)...)
		}
	}
	return dst
}

// lastHeader returns the last value of the field name: the whole field
// value, or its last comma-separated element, trimmed.
func lastHeader(smp acl.Sample, name []byte, element bool) []byte {
	for i := smp.NumHeaders() - 1; i >= 0; i-- {
		n, v := smp.Header(i)
		if !equalFold(n, name) {
			continue
		}
		if element {
			if j := lastComma(v); j >= 0 {
				v = v[j+1:]
			}
		}
		return trim(v)
	}
	return nil
}

// lastComma finds the last comma outside double quotes.
func lastComma(v []byte) int {
	last, q := -1, false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if q {
				i++
			}
		case '"':
			q = !q
		case ',':
			if !q {
				last = i
			}
		}
	}
	return last
}

func trim(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// equalFold compares a header name with a lower-case name.
func equalFold(b, lower []byte) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func appendInt(dst []byte, n int) []byte {
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}
