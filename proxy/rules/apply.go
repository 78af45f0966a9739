package rules

import (
	"haappliance/proxy/acl"
	"haappliance/proxy/h1"
)

// Message is a head the rules edit, seen as an acl.Sample whose headers
// are the message's own (the request's, or the response's). Values passed
// to SetHeader and AddHeader are only valid during the call: the
// implementation copies them. Deleting header i shifts the later ones down.
type Message interface {
	acl.Sample
	SetHeader(i int, value []byte)
	DelHeader(i int)
	AddHeader(name, value []byte)
}

// Request is a request head the http-request rules edit.
type Request interface {
	Message
	// SetPath replaces the path of the request target, keeping its query
	// string (and the scheme and authority of an absolute-form target).
	SetPath(path []byte)
	// Host is the Host field value (or the authority of an absolute URI).
	Host() []byte
}

// Response is a response head the http-response rules edit.
type Response interface {
	Message
	Status() int
}

// EvalRequest runs http-request rules in order on req and returns the
// terminal rule that stopped the list (Allow, or one whose answer the
// engine sends with AppendResponse), or nil when every rule ran. scratch
// is a work buffer returned for reuse; with it, rules without regular
// expressions do not allocate.
func EvalRequest(rs []*Rule, req Request, scratch []byte) (*Rule, []byte) {
	for _, r := range rs {
		if !r.Cond.Eval(req) {
			continue
		}
		if r.Action.Terminal() {
			return r, scratch
		}
		scratch = r.edit(req, req, 0, scratch)
	}
	return nil, scratch
}

// EvalResponse runs http-response rules in order on res; it stops at an
// allow rule.
func EvalResponse(rs []*Rule, res Response, scratch []byte) []byte {
	for _, r := range rs {
		if !r.Cond.Eval(res) {
			continue
		}
		if r.Action == Allow {
			break
		}
		scratch = r.edit(res, nil, res.Status(), scratch)
	}
	return scratch
}

// edit applies a non-terminal action.
func (r *Rule) edit(m Message, req Request, status int, scratch []byte) []byte {
	switch r.Action {
	case SetHeader, AddHeader:
		scratch = r.value.appendValue(scratch[:0], m, status)
		if r.Action == SetHeader {
			delHeaders(m, r.name)
		}
		m.AddHeader(r.name, scratch)
	case DelHeader:
		delHeaders(m, r.name)
	case ReplaceHeader:
		for i := 0; i < m.NumHeaders(); i++ {
			n, v := m.Header(i)
			if !equalFold(n, r.name) {
				continue
			}
			var ok bool
			if scratch, ok = r.replace(scratch[:0], v, m, status); ok {
				m.SetHeader(i, scratch)
			}
		}
	case SetPath:
		scratch = r.value.appendValue(scratch[:0], m, status)
		req.SetPath(scratch)
	case ReplacePath:
		var ok bool
		if scratch, ok = r.replace(scratch[:0], req.Path(), m, status); ok {
			req.SetPath(scratch)
		}
	}
	return scratch
}

func delHeaders(m Message, name []byte) {
	for i := m.NumHeaders() - 1; i >= 0; i-- {
		if n, _ := m.Header(i); equalFold(n, name) {
			m.DelHeader(i)
		}
	}
}

// replace matches r.re against v and, when it matches, renders the
// replacement (its log-format first, then \N references) into dst, as
// HAProxy's exp_replace: the whole value is replaced.
func (r *Rule) replace(dst, v []byte, smp acl.Sample, status int) ([]byte, bool) {
	m := r.re.FindSubmatchIndex(v)
	if m == nil {
		return dst, false
	}
	dst = r.value.appendValue(dst, smp, status)
	tmpl := dst
	out := dst[len(dst):]
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '\\' && i+1 < len(tmpl) {
			d := tmpl[i+1]
			if d >= '0' && d <= '9' {
				if g := int(d - '0'); 2*g+1 < len(m) && m[2*g] >= 0 {
					out = append(out, v[m[2*g]:m[2*g+1]]...)
				}
				i++
				continue
			}
			if d == '\\' {
				out = append(out, '\\')
				i++
				continue
			}
		}
		out = append(out, c)
	}
	return out, true
}

// AppendResponse renders the answer of a terminal rule other than Allow
// for req; close adds "connection: close". The head is HAProxy 2.6's.
func (r *Rule) AppendResponse(dst []byte, req Request, close bool) []byte {
	switch r.Action {
	case Deny, Auth:
		dst = append(dst, r.pageHead...)
		dst = appendClose(dst, close)
		return append(dst, r.pageBody...)
	case Redirect:
		dst = appendStatusLine(dst, r.status)
		dst = append(dst, "content-length: 0\r\nlocation: "...)
		dst = r.appendLocation(dst, req)
		dst = append(dst, '\r', '\n')
		if r.status == 302 || r.status == 303 || r.status == 307 {
			dst = append(dst, "cache-control: no-cache\r\n"...)
		}
		return appendClose(dst, close)
	case Return:
		dst = appendStatusLine(dst, r.status)
		for _, h := range r.hdrs {
			dst = append(dst, h.name...)
			dst = append(dst, ':', ' ')
			dst = h.value.appendValue(dst, req, 0)
			dst = append(dst, '\r', '\n')
		}
		if r.value == nil {
			if r.status != 204 && r.status != 304 {
				dst = append(dst, "content-length: 0\r\n"...)
			}
			return appendClose(dst, close)
		}
		// The body is rendered after the head, then moved into place
		// behind its length.
		start := len(dst)
		dst = r.value.appendValue(dst, req, 0)
		n := len(dst) - start
		var hdr [64]byte
		h := append(hdr[:0], "content-length: "...)
		h = appendInt(h, n)
		h = append(h, "\r\ncontent-type: "...)
		body := append([]byte(nil), dst[start:]...) // rare: bodies of return rules are small
		dst = append(dst[:start], h...)
		dst = append(dst, r.contentType...)
		dst = append(dst, '\r', '\n')
		dst = appendClose(dst, close)
		return append(dst, body...)
	}
	return dst
}

func appendClose(dst []byte, close bool) []byte {
	if close {
		dst = append(dst, "connection: close\r\n"...)
	}
	return append(dst, '\r', '\n')
}

// appendLocation builds the Location of a redirect as HAProxy's
// http_apply_redirect_rule.
func (r *Rule) appendLocation(dst []byte, req Request) []byte {
	path, query := req.Path(), req.Query()
	hasQuery := query != nil && !r.dropQuery
	switch r.kind {
	case redirLocation:
		return r.value.appendValue(dst, req, 0)
	case redirPrefix:
		start := len(dst)
		dst = r.value.appendValue(dst, req, 0)
		if len(dst)-start == 1 && dst[start] == '/' {
			dst = dst[:start] // prefix "/" keeps the path as is
		}
	case redirScheme:
		dst = r.value.appendValue(dst, req, 0)
		dst = append(dst, "://"...)
		dst = append(dst, req.Host()...)
	}
	dst = append(dst, path...)
	if r.appendSlash && (len(path) == 0 || path[len(path)-1] != '/') {
		dst = append(dst, '/')
	}
	if hasQuery {
		dst = append(dst, '?')
		dst = append(dst, query...)
	}
	return dst
}

// Status is the status code of a terminal rule's answer (0 for Allow).
func (r *Rule) Status() int {
	if r.Action == Allow {
		return 0
	}
	return r.status
}

// Realm is the realm of an auth rule.
func (r *Rule) Realm() string { return r.realm }

func appendStatusLine(dst []byte, status int) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = appendInt(dst, status)
	dst = append(dst, ' ')
	dst = append(dst, statusText(status)...)
	return append(dst, '\r', '\n')
}

func statusText(code int) string { return h1.StatusText(code) }
