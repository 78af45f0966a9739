package proxy

import (
	"bytes"
	"net/netip"

	"haappliance/proxy/h1"
)

// appendRequestHead builds the head sent to the server: the request line
// as received, the header fields with names in lower case minus the
// hop-by-hop ones (RFC 9110 §7.6.1: Connection, Keep-Alive,
// Proxy-Connection, TE, Upgrade unless upgrading, and every field the
// Connection field names), the Cookie field rewritten for persistence,
// then X-Forwarded-For and the Connection field this hop needs, at the
// end as HAProxy appends them.
func (cc *clientConn) appendRequestHead(out []byte, t *txn) []byte {
	req := &cc.req
	out = h1.AppendRequestLine(out, req.Method, req.URI, req.Minor)
	conn := connectionTokens(req.Headers)
	ff := cc.fe.fwd
	if t.be.fwd != nil {
		ff = t.be.fwd
	}
	hasFF := false
	for i := range req.Headers {
		h := &req.Headers[i]
		switch {
		case equalFoldStr(h.Name, "connection"), equalFoldStr(h.Name, "keep-alive"),
			equalFoldStr(h.Name, "proxy-connection"), equalFoldStr(h.Name, "te"):
			continue
		case equalFoldStr(h.Name, "upgrade"):
			if !t.upgrade {
				continue
			}
		case conn != nil && hasTokenBytes(conn, h.Name) && !equalFoldStr(h.Name, "transfer-encoding") &&
			!equalFoldStr(h.Name, "content-length") && !equalFoldStr(h.Name, "host"):
			continue
		case t.be.ck != nil && equalFoldStr(h.Name, "cookie"):
			out = t.be.ck.appendRequestCookie(out, h.Name, h.Value)
			continue
		case ff != nil && equalFoldStr(h.Name, ff.Header):
			hasFF = true
		}
		out = appendHeaderLower(out, h.Name, h.Value)
	}
	if ff != nil && !(ff.IfNone && hasFF) && cc.src.IsValid() && !(ff.Except.IsValid() && ff.Except.Contains(cc.src.Addr())) {
		out = append(out, ff.Header...)
		out = append(out, ':', ' ')
		out = appendAddr(out, cc.src.Addr())
		out = append(out, '\r', '\n')
	}
	if ff != nil && cc.smp.ssl {
		out = append(out, "x-forwarded-proto: https\r\n"...)
	}
	switch {
	case t.upgrade:
		out = append(out, "connection: upgrade\r\n"...)
	case t.mode == KeepAlive && t.minor == 0:
		out = append(out, "connection: keep-alive\r\n"...)
	case t.mode != KeepAlive && t.minor == 1:
		out = append(out, "connection: close\r\n"...)
	}
	return append(out, '\r', '\n')
}

// connectionTokens returns the value of the Connection field (the first
// one; several are rare), or nil.
func connectionTokens(hs []h1.Header) []byte {
	for i := range hs {
		if equalFoldStr(hs[i].Name, "connection") {
			return hs[i].Value
		}
	}
	return nil
}

// hasTokenBytes reports whether the comma-separated list v holds tok,
// case-insensitively.
func hasTokenBytes(v, tok []byte) bool {
	for len(v) > 0 {
		var el []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			el, v = trimSpace(v[:i]), v[i+1:]
		} else {
			el, v = trimSpace(v), nil
		}
		if len(el) == len(tok) && equalFoldStr(el, string(tok)) {
			return true
		}
	}
	return false
}

// appendAddr appends an IP address in text form without allocating.
func appendAddr(dst []byte, a netip.Addr) []byte {
	b, _ := a.AppendText(dst)
	return b
}

// appendResponseHead builds the head sent to the client: the status line
// as received, the fields with names in lower case minus the hop-by-hop
// ones, the persistence cookie handled (server's copy removed in insert
// mode, rewritten in rewrite/prefix mode), then the inserted Set-Cookie,
// "cache-control: private" under nocache, and the Connection field the
// client needs.
func (cc *clientConn) appendResponseHead(out []byte, t *txn, mode h1.BodyMode) []byte {
	res := &t.sc.res
	out = h1.AppendStatusLine(out, res.Minor, res.Status, res.Reason)
	conn := connectionTokens(res.Headers)
	ck := t.be.ck
	serverSet, modified := false, false
	for i := range res.Headers {
		h := &res.Headers[i]
		switch {
		case equalFoldStr(h.Name, "connection"), equalFoldStr(h.Name, "keep-alive"),
			equalFoldStr(h.Name, "proxy-connection"):
			continue
		case equalFoldStr(h.Name, "upgrade"):
			if res.Status != 101 {
				continue
			}
		case res.ContentLengthIgnored && equalFoldStr(h.Name, "content-length"):
			continue
		case conn != nil && hasTokenBytes(conn, h.Name) && !equalFoldStr(h.Name, "transfer-encoding") &&
			!equalFoldStr(h.Name, "content-length") && !equalFoldStr(h.Name, "set-cookie"):
			continue
		case ck != nil && equalFoldStr(h.Name, "set-cookie") && string(setCookieName(h.Value)) == ck.name:
			serverSet = true
			switch {
			case ck.mode == ckInsert && !ck.preserve:
				t.ckOp = 'D'
				continue // HAProxy removes the server's own copy
			case ck.mode != ckInsert && t.srv.cookie != "":
				out = ck.rewriteSetCookie(out, h.Value, t.srv.cookie)
				modified = true
				t.ckOp = 'R'
				continue
			}
			t.ckOp = 'P'
		}
		out = appendHeaderLower(out, h.Name, h.Value)
	}
	if ck != nil && ck.needsInsert(t.direct, &t.seen, bytes.Equal(t.method, methodPOST), serverSet, t.now) {
		out = ck.appendInsertedCookie(out, t.srv.cookie, &t.seen, t.now)
		modified = true
		t.ckOp = 'I'
		if t.direct {
			t.ckOp = 'U'
		}
	}
	if ck != nil && ck.nocache && modified && cacheable(t.method, res.Status, res.Headers) {
		out = append(out, "cache-control: private\r\n"...)
	}
	keep := t.clientKA && mode != h1.BodyUntilClose
	switch {
	case res.Status == 101:
		out = append(out, "connection: upgrade\r\n"...)
	case !keep && t.minor == 1:
		out = append(out, "connection: close\r\n"...)
	case keep && t.minor == 0:
		out = append(out, "connection: keep-alive\r\n"...)
	}
	return append(out, '\r', '\n')
}
