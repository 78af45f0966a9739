package balance

import (
	"bytes"
	"strconv"
	"strings"
)

// InputKind says which request property a hashing algorithm needs.
type InputKind uint8

const (
	InputNone     InputKind = iota // the algorithm hashes nothing
	InputSource                    // Key.Src, the client address
	InputURI                       // the request target, through Algorithm.FromURI
	InputURLParam                  // the request target, through Algorithm.FromURI
	InputHeader                    // the first value of header Name, through Algorithm.FromHeader
)

// HashInput tells the engine what to extract for Key.Hash.
type HashInput struct {
	Kind InputKind
	Name string // url_param or header name
	Body bool   // url_param check_post: a POST body may hold the parameter (Algorithm.FromBody)
}

// NeedsHash returns what the engine must extract from a request for Pick.
func (a Algorithm) NeedsHash() HashInput {
	switch a.Kind {
	case Source:
		return HashInput{Kind: InputSource}
	case URI:
		return HashInput{Kind: InputURI}
	case URLParam:
		return HashInput{Kind: InputURLParam, Name: a.Param, Body: a.CheckPost}
	case Header:
		return HashInput{Kind: InputHeader, Name: a.Param}
	}
	return HashInput{Kind: InputNone}
}

// Dynamic reports whether server weights may change at run time. HAProxy's
// runtime API refuses weights other than 0% and 100% for static algorithms
// ("Backend is using a static LB algorithm and only accepts weights '0%' and
// '100%'."): static-rr and the map-based hashes.
func (a Algorithm) Dynamic() bool {
	switch {
	case a.Kind == StaticRR:
		return false
	case a.Kind.Hashed():
		return a.HashType == Consistent
	}
	return true
}

func (a Algorithm) draws() int {
	if a.Draws < 1 {
		return 2
	}
	return a.Draws
}

// String returns the normalised "balance" value.
func (a Algorithm) String() string {
	var b strings.Builder
	switch a.Kind {
	case Random:
		b.WriteString("random(" + strconv.Itoa(a.draws()) + ")")
	case URI:
		b.WriteString("uri")
		if a.Whole {
			b.WriteString(" whole")
		}
		if a.PathOnly {
			b.WriteString(" path-only")
		}
		if a.Len > 0 {
			b.WriteString(" len " + strconv.Itoa(a.Len))
		}
		if a.Depth > 0 {
			b.WriteString(" depth " + strconv.Itoa(a.Depth))
		}
	case URLParam:
		b.WriteString("url_param " + a.Param)
		if a.CheckPost {
			b.WriteString(" check_post")
		}
	case Header:
		b.WriteString("hdr(" + a.Param + ")")
		if a.UseDomainOnly {
			b.WriteString(" use_domain_only")
		}
	default:
		b.WriteString(a.Kind.String())
	}
	return b.String()
}

// HashTypeString returns the normalised "hash_type" value.
func (a Algorithm) HashTypeString() string {
	s := a.HashType.String() + " " + a.HashFunc.String()
	if a.Avalanche {
		s += " avalanche"
	}
	return s
}

// FromURI extracts the hash input of uri and url_param from a request target
// as it appears on the request line (origin or absolute form). It returns
// nil when there is nothing to hash (url_param absent), which makes Pick fall
// back to round robin as HAProxy does; an empty non-nil slice is hashed.
// The result aliases target: no allocation.
//
// uri: the target up to the '?' (all of it with "whole"), cut to "len"
// bytes first, and stopped before the slash that opens directory depth+1;
// with "path-only" the scheme and authority of an absolute URI are skipped.
// url_param: the value of the first NAME=value pair of the query string.
func (a Algorithm) FromURI(target []byte) []byte {
	if target == nil {
		return nil
	}
	switch a.Kind {
	case URI:
		return a.uriInput(target)
	case URLParam:
		q := bytes.IndexByte(target, '?')
		if q < 0 {
			return nil
		}
		return findParam(target[q+1:], a.Param)
	}
	return nil
}

func (a Algorithm) uriInput(uri []byte) []byte {
	if a.PathOnly {
		uri = pathOf(uri)
	}
	if a.Len > 0 && len(uri) > a.Len {
		uri = uri[:a.Len]
	}
	slashes := 0
	for i, c := range uri {
		switch {
		case c == '/':
			slashes++
			if a.Depth > 0 && slashes == a.Depth+1 {
				return uri[:i]
			}
		case c == '?' && !a.Whole:
			return uri[:i]
		}
	}
	return uri
}

// pathOf returns the path (with query) of an origin-form or absolute-form
// target, or an empty slice for authority-form and asterisk-form.
func pathOf(uri []byte) []byte {
	if len(uri) > 0 && uri[0] == '/' {
		return uri
	}
	i := bytes.Index(uri, []byte("://"))
	if i < 0 {
		return uri[:0]
	}
	rest := uri[i+3:]
	if j := bytes.IndexByte(rest, '/'); j >= 0 {
		return rest[j:]
	}
	return rest[len(rest):]
}

// findParam scans an "a=1&b=2" list for name and returns its value, or nil.
func findParam(params []byte, name string) []byte {
	for len(params) > 0 {
		seg := params
		next := bytes.IndexByte(params, '&')
		if next >= 0 {
			seg, params = params[:next], params[next+1:]
		} else {
			params = nil
		}
		if len(seg) > len(name) && seg[len(name)] == '=' && string(seg[:len(name)]) == name {
			return seg[len(name)+1:]
		}
	}
	return nil
}

// FromBody extracts the url_param value from an application/x-www-form-
// urlencoded POST body ("check_post"), which the engine tries when FromURI
// found nothing. The value stops at '&' or at white space; nil when absent.
func (a Algorithm) FromBody(body []byte) []byte {
	if a.Kind != URLParam || !a.CheckPost || body == nil {
		return nil
	}
	if i := bytes.IndexAny(body, " \t\r\n"); i >= 0 {
		body = body[:i]
	}
	return findParam(body, a.Param)
}

// FromHeader returns the hash input of hdr(NAME) given the header's first
// value: nil when absent or empty (HAProxy then falls back to round robin);
// with "use_domain_only", only the label before the last dot
// ("www.example.com" hashes "example").
func (a Algorithm) FromHeader(value []byte) []byte {
	if len(value) == 0 {
		return nil
	}
	if !a.UseDomainOnly {
		return value
	}
	end := bytes.LastIndexByte(value, '.')
	if end < 0 {
		return value
	}
	start := bytes.LastIndexByte(value[:end], '.') + 1
	return value[start:end]
}
