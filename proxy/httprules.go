package proxy

import (
	"fmt"
	"net/netip"

	"haappliance/proxy/acl"
	"haappliance/proxy/h1"
	"haappliance/proxy/rules"
	"haappliance/proxy/userlist"
)

// httpRules are the http_request and http_response rules of a frontend or
// backend (package rules).
type httpRules struct {
	req, res []*rules.Rule
}

// newACLSet returns an ACL set that knows the configuration's userlists,
// for http_auth(NAME).
func newACLSet(users map[string]*Userlist) (*acl.Set, error) {
	set := acl.NewSet()
	for _, name := range sortedKeys(users) {
		l, err := compileUserlist(name, users[name])
		if err != nil {
			return nil, err
		}
		set.AddUserlist(name, l)
	}
	return set, nil
}

func compileUserlist(name string, u *Userlist) (*userlist.List, error) {
	var us []userlist.User
	if u != nil {
		for _, x := range u.Users {
			us = append(us, userlist.User{Name: x.Name, Password: x.Password, Groups: x.Groups})
		}
	}
	return userlist.New(name, us)
}

// parseHTTPRules parses a section's rules against its ACL set.
func parseHTTPRules(set *acl.Set, kind, name string, req, res []string) (httpRules, error) {
	var hr httpRules
	var err error
	ctx := rules.Context{Section: name, ErrorBody: ErrorBody}
	if hr.req, err = rules.Parse(set, req, ctx); err != nil {
		return hr, fmt.Errorf("%s '%s': http_request: %w", kind, name, err)
	}
	ctx.Response = true
	if hr.res, err = rules.Parse(set, res, ctx); err != nil {
		return hr, fmt.Errorf("%s '%s': http_response: %w", kind, name, err)
	}
	return hr, nil
}

// initRules builds a backend's ACLs and rules.
func (b *backend) initRules(m *BackendModel, users map[string]*Userlist) error {
	if len(m.HTTPRequest) == 0 && len(m.HTTPResponse) == 0 {
		return nil
	}
	set, err := newACLSet(users)
	if err != nil {
		return err
	}
	if err := set.AddLines(m.ACL); err != nil {
		return fmt.Errorf("backend '%s': %w", m.Name, err)
	}
	b.rules, err = parseHTTPRules(set, "backend", m.Name, m.HTTPRequest, m.HTTPResponse)
	return err
}

// editReq is the rules.Request view of the client's parsed request. Values
// set by rules are copied into arena, which lives as long as the
// connection and is reset for every request.
type editReq struct {
	*reqSample
	arena []byte
}

// keep copies b into the arena. When the arena must grow, a new one is
// taken and the old one stays referenced by the slices already handed out.
func keepBytes(arena *[]byte, b []byte) []byte {
	a := *arena
	if cap(a)-len(a) < len(b) {
		a = make([]byte, 0, max(2*cap(a), len(b)+512))
	}
	start := len(a)
	a = append(a, b...)
	*arena = a
	return a[start:len(a):len(a)]
}

func (e *editReq) SetHeader(i int, v []byte) { e.req.Headers[i].Value = keepBytes(&e.arena, v) }
func (e *editReq) DelHeader(i int)           { e.req.Headers = delHeader(e.req.Headers, i) }
func (e *editReq) AddHeader(n, v []byte) {
	e.req.Headers = append(e.req.Headers, h1.Header{Name: keepBytes(&e.arena, n), Value: keepBytes(&e.arena, v)})
}
func (e *editReq) Host() []byte { return e.req.Host }

// SetPath rebuilds the request target with a new path: the scheme and
// authority of an absolute-form target and the query string are kept.
func (e *editReq) SetPath(path []byte) {
	r := e.req
	var prefix []byte
	if u := r.URI; len(u) > 0 && u[0] != '/' && r.Path != nil {
		// absolute-form: scheme "://" authority, up to the path or query.
		i := indexOf(u, "://")
		if i >= 0 {
			j := i + 3
			for j < len(u) && u[j] != '/' && u[j] != '?' {
				j++
			}
			prefix = u[:j]
		}
	}
	n := len(prefix) + len(path) + 1 + len(r.Query)
	a := e.arena
	if cap(a)-len(a) < n {
		a = make([]byte, 0, max(2*cap(a), n+512))
	}
	start := len(a)
	a = append(a, prefix...)
	ps := len(a)
	a = append(a, path...)
	pe := len(a)
	if r.Query != nil {
		a = append(a, '?')
		a = append(a, r.Query...)
		r.Query = a[pe+1 : len(a) : len(a)]
	}
	e.arena = a
	r.URI = a[start:len(a):len(a)]
	r.Path = a[ps:pe:pe]
}

func indexOf(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}

func delHeader(hs []h1.Header, i int) []h1.Header {
	copy(hs[i:], hs[i+1:])
	hs[len(hs)-1] = h1.Header{}
	return hs[:len(hs)-1]
}

// editRes is the rules.Response view of a server's response: its headers
// are the response's; the request line fetches are not available (as in
// HAProxy, where http-response rules cannot see the request).
type editRes struct {
	res   *h1.Response
	src   netip.Addr
	ssl   bool
	arena []byte
}

func (e *editRes) Method() []byte  { return nil }
func (e *editRes) URI() []byte     { return nil }
func (e *editRes) Path() []byte    { return nil }
func (e *editRes) Query() []byte   { return nil }
func (e *editRes) NumHeaders() int { return len(e.res.Headers) }
func (e *editRes) Header(i int) (name, value []byte) {
	h := &e.res.Headers[i]
	return h.Name, h.Value
}
func (e *editRes) Src() netip.Addr           { return e.src }
func (e *editRes) SSL() bool                 { return e.ssl }
func (e *editRes) HTTPMinor() int            { return e.res.Minor }
func (e *editRes) Status() int               { return e.res.Status }
func (e *editRes) SetHeader(i int, v []byte) { e.res.Headers[i].Value = keepBytes(&e.arena, v) }
func (e *editRes) DelHeader(i int)           { e.res.Headers = delHeader(e.res.Headers, i) }
func (e *editRes) AddHeader(n, v []byte) {
	e.res.Headers = append(e.res.Headers, h1.Header{Name: keepBytes(&e.arena, n), Value: keepBytes(&e.arena, v)})
}

// ruleState is a client connection's working memory for rules, allocated
// on its first request that meets a rule.
type ruleState struct {
	ed      editReq
	res     editRes
	scratch []byte
	out     []byte
}

func (cc *clientConn) ruleState() *ruleState {
	if cc.rs == nil {
		cc.rs = &ruleState{ed: editReq{reqSample: &cc.smp}}
	}
	return cc.rs
}

// httpRequestRules runs a section's http-request rules (be nil: the
// frontend's). When a rule answered the request it returns true and
// whether the connection stays open.
func (cc *clientConn) httpRequestRules(hr *httpRules, be *backend) (answered, keep bool) {
	if len(hr.req) == 0 {
		return false, false
	}
	st := cc.ruleState()
	if be == nil {
		st.ed.arena = st.ed.arena[:0] // a new request: the frontend's rules run first
	}
	var stop *rules.Rule
	stop, st.scratch = rules.EvalRequest(hr.req, &st.ed, st.scratch)
	if stop == nil || stop.Action == rules.Allow {
		return false, false
	}
	return true, cc.answerRule(stop, be)
}

// answerRule sends the answer of a terminal http-request rule. The
// connection stays open when the request has no body, or when its whole
// body has already been read (it is skipped), as HAProxy, whose H1 mux
// keeps the connection when the request message is complete.
func (cc *clientConn) answerRule(r *rules.Rule, be *backend) bool {
	st, fe := cc.rs, cc.fe
	req := &cc.req
	body, whole := cc.bufferedBody()
	keep := req.KeepAlive && whole && !cc.p.closing.Load() &&
		connMode(fe.opts, backendOpts(be)) != Close
	st.out = r.AppendResponse(st.out[:0], &st.ed, !keep)
	cc.r += req.HeadLen + body
	status := r.Status()
	fe.c.response(status)
	if be != nil {
		be.c.response(status)
	}
	who := byte(termProxy)
	switch r.Action {
	case rules.Deny:
		fe.c.denied.Add(1)
		if be != nil {
			be.c.denied.Add(1)
		}
	case rules.Redirect, rules.Return:
		who = termLocal
	}
	_ = cc.conn.SetWriteDeadline(deadline(fe.t.Client.D()))
	_, err := cc.conn.Write(st.out)
	if err == nil {
		fe.c.bytesOut.Add(uint64(len(st.out)))
	}
	if cc.logging() {
		cc.fillLog(be, nil)
		cc.log.Status = status
		cc.log.BytesRead = int64(len(st.out))
		cc.log.Term = [2]byte{who, phaseRequest}
		cc.log.Tw, cc.log.Tc, cc.log.Tr = -1, -1, -1
		cc.log.Ta = cc.p.now().Sub(cc.tFirst)
		cc.logRequest(be, nil)
	}
	if err != nil {
		return false
	}
	if !keep {
		cc.linger()
		return false
	}
	return true
}

// bufferedBody tells how many bytes of the current request's body follow
// its head in the read buffer and whether that is the whole body.
func (cc *clientConn) bufferedBody() (n int, whole bool) {
	req := &cc.req
	rest := cc.buf[cc.r+req.HeadLen : cc.w]
	switch req.BodyMode() {
	case h1.BodyNone:
		return 0, true
	case h1.BodyLength:
		if int64(len(rest)) < req.ContentLength {
			return 0, false
		}
		return int(req.ContentLength), true
	case h1.BodyChunked:
		var sc h1.ChunkedScanner
		n, done, err := sc.Scan(rest)
		if err != nil || !done {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

func backendOpts(be *backend) OptionSet {
	if be == nil {
		return nil
	}
	return be.opts
}

// httpResponseRules runs the backend's then the frontend's http-response
// rules on the server's response head, before it is sent on.
func (cc *clientConn) httpResponseRules(t *txn) {
	if len(t.be.rules.res) == 0 && len(cc.fe.rules.res) == 0 {
		return
	}
	st := cc.ruleState()
	st.res = editRes{res: &t.sc.res, src: cc.smp.src, ssl: cc.smp.ssl, arena: st.res.arena[:0]}
	st.scratch = rules.EvalResponse(t.be.rules.res, &st.res, st.scratch)
	st.scratch = rules.EvalResponse(cc.fe.rules.res, &st.res, st.scratch)
}

// initL7 builds a frontend's rules and TLS termination.
func (f *frontend) initL7(m *FrontendModel, set *acl.Set) error {
	var err error
	if f.rules, err = parseHTTPRules(set, "frontend", m.Name, m.HTTPRequest, m.HTTPResponse); err != nil {
		return err
	}
	f.tlsLogName = m.Name + "~"
	if m.TLS != nil {
		if f.tls, err = newTLSFrontend(m.TLS); err != nil {
			return fmt.Errorf("frontend '%s': tls: %w", m.Name, err)
		}
	}
	return nil
}
