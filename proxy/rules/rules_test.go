package rules

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/acl"
)

// fakeMsg is a request or response head for tests.
type fakeMsg struct {
	method, path, query string
	hasQuery            bool
	hdrs                [][2]string
	ssl                 bool
	status              int
}

func (m *fakeMsg) Method() []byte { return []byte(m.method) }
func (m *fakeMsg) URI() []byte {
	if m.hasQuery {
		return []byte(m.path + "?" + m.query)
	}
	return []byte(m.path)
}
func (m *fakeMsg) Path() []byte { return []byte(m.path) }
func (m *fakeMsg) Query() []byte {
	if !m.hasQuery {
		return nil
	}
	return []byte(m.query)
}
func (m *fakeMsg) NumHeaders() int            { return len(m.hdrs) }
func (m *fakeMsg) Header(i int) (n, v []byte) { return []byte(m.hdrs[i][0]), []byte(m.hdrs[i][1]) }
func (m *fakeMsg) Src() netip.Addr            { return netip.MustParseAddr("198.18.0.7") }
func (m *fakeMsg) SSL() bool                  { return m.ssl }
func (m *fakeMsg) HTTPMinor() int             { return 1 }
func (m *fakeMsg) SetHeader(i int, v []byte)  { m.hdrs[i][1] = string(v) }
func (m *fakeMsg) DelHeader(i int)            { m.hdrs = append(m.hdrs[:i], m.hdrs[i+1:]...) }
func (m *fakeMsg) AddHeader(n, v []byte)      { m.hdrs = append(m.hdrs, [2]string{string(n), string(v)}) }
func (m *fakeMsg) SetPath(p []byte)           { m.path = string(p) }
func (m *fakeMsg) Status() int                { return m.status }
func (m *fakeMsg) Host() []byte {
	for _, h := range m.hdrs {
		if strings.EqualFold(h[0], "host") {
			return []byte(h[1])
		}
	}
	return nil
}

func newReq(path string, hdrs ...string) *fakeMsg {
	m := &fakeMsg{method: "GET", path: path}
	if p, q, ok := strings.Cut(path, "?"); ok {
		m.path, m.query, m.hasQuery = p, q, true
	}
	for _, h := range hdrs {
		n, v, _ := strings.Cut(h, ": ")
		m.hdrs = append(m.hdrs, [2]string{n, v})
	}
	return m
}

func errBody(code int) string { return "<" + statusText(code) + ">\n" }

func mustParse(t *testing.T, lines []string, ctx Context) []*Rule {
	t.Helper()
	set := acl.NewSet()
	if err := set.AddLines([]string{"is_api path_beg /api", "has_x hdr(x) -m found"}); err != nil {
		t.Fatal(err)
	}
	if ctx.ErrorBody == nil {
		ctx.ErrorBody = errBody
	}
	rs, err := Parse(set, lines, ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestEvalRequest(t *testing.T) {
	tests := []struct {
		name     string
		rules    []string
		req      *fakeMsg
		wantPath string
		wantHdrs [][2]string
		stop     string // rule that stopped, "" none
		answer   string // AppendResponse for a stopping rule, keep-alive
	}{
		{name: "set-header replaces every occurrence", rules: []string{"set-header X-A new"},
			req: newReq("/", "X-A: 1", "Host: h", "x-a: 2"), wantPath: "/",
			wantHdrs: [][2]string{{"Host", "h"}, {"x-a", "new"}}},
		{name: "add-header appends", rules: []string{"add-header X-A 3"},
			req: newReq("/", "X-A: 1"), wantPath: "/", wantHdrs: [][2]string{{"X-A", "1"}, {"x-a", "3"}}},
		{name: "del-header", rules: []string{"del-header x-a"},
			req: newReq("/", "X-A: 1", "Host: h", "x-A: 2"), wantPath: "/", wantHdrs: [][2]string{{"Host", "h"}}},
		{name: "set-header with fetches", rules: []string{`set-header X-Info "%[src] %[path] %[method] %[ssl_fc] %[hdr(host)] %[req.fhdr(x-l)] %%"`},
			req: newReq("/p?q", "Host: h", "X-L: a, b"), wantPath: "/p",
			wantHdrs: [][2]string{{"Host", "h"}, {"X-L", "a, b"}, {"x-info", "198.18.0.7 /p GET 0 h a, b %"}}},
		{name: "set-header sees its own old value", rules: []string{"set-header X-A %[hdr(x-a)]-y"},
			req: newReq("/", "X-A: 1, 2"), wantPath: "/", wantHdrs: [][2]string{{"x-a", "2-y"}}},
		{name: "replace-header replaces the whole value", rules: []string{`replace-header Cookie foo=([^;]*);(.*) foo=\1;ip=%[src];\2`},
			req: newReq("/", "Cookie: foo=bar;baz=1", "Cookie: other=1"), wantPath: "/",
			wantHdrs: [][2]string{{"Cookie", "foo=bar;ip=198.18.0.7;baz=1"}, {"Cookie", "other=1"}}},
		{name: "set-path keeps the query", rules: []string{"set-path /new%[path]"},
			req: newReq("/old?x=1"), wantPath: "/new/old"},
		{name: "replace-path", rules: []string{`replace-path /api/v1/(.*) /v2/\1`},
			req: newReq("/api/v1/users?id=1"), wantPath: "/v2/users"},
		{name: "replace-path no match", rules: []string{`replace-path ^/x(.*) /y\1`},
			req: newReq("/api"), wantPath: "/api"},
		{name: "condition false skips", rules: []string{"set-header A 1 if is_api", "set-header B 2 unless is_api"},
			req: newReq("/web"), wantPath: "/web", wantHdrs: [][2]string{{"b", "2"}}},
		{name: "edits are seen by later conditions", rules: []string{"set-header X 1", "deny if has_x"},
			req: newReq("/"), wantPath: "/", wantHdrs: [][2]string{{"x", "1"}}, stop: "deny if has_x",
			answer: "HTTP/1.1 403 Forbidden\r\ncontent-length: 12\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<Forbidden>\n"},
		{name: "allow stops", rules: []string{"allow if is_api", "deny"},
			req: newReq("/api/x"), wantPath: "/api/x", stop: "allow if is_api"},
		{name: "first terminal wins", rules: []string{"deny deny_status 404 if is_api", "deny"},
			req: newReq("/api"), wantPath: "/api", stop: "deny deny_status 404 if is_api",
			answer: "HTTP/1.1 404 Not Found\r\ncontent-length: 12\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<Not Found>\n"},
		{name: "auth default realm", rules: []string{"auth"}, req: newReq("/"), wantPath: "/", stop: "auth",
			answer: "HTTP/1.1 401 Unauthorized\r\ncontent-length: 15\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"web\"\r\n\r\n<Unauthorized>\n"},
		{name: "auth realm", rules: []string{`auth realm "My Realm"`}, req: newReq("/"), wantPath: "/", stop: `auth realm "My Realm"`,
			answer: "HTTP/1.1 401 Unauthorized\r\ncontent-length: 15\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"My Realm\"\r\n\r\n<Unauthorized>\n"},
		{name: "return with body and header", rules: []string{`return status 503 content-type text/plain lf-string "hi %[path]" hdr X-A %[src]`},
			req: newReq("/p"), wantPath: "/p", stop: `return status 503 content-type text/plain lf-string "hi %[path]" hdr X-A %[src]`,
			answer: "HTTP/1.1 503 Service Unavailable\r\nx-a: 198.18.0.7\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nhi /p"},
		{name: "return 204", rules: []string{"return status 204"}, req: newReq("/"), wantPath: "/", stop: "return status 204",
			answer: "HTTP/1.1 204 No Content\r\n\r\n"},
		{name: "return default", rules: []string{"return"}, req: newReq("/"), wantPath: "/", stop: "return",
			answer: "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"},
		{name: "redirect scheme", rules: []string{"redirect scheme https code 301"},
			req: newReq("/a/b?q=1", "Host: example.com:8080"), wantPath: "/a/b", wantHdrs: [][2]string{{"Host", "example.com:8080"}}, stop: "redirect scheme https code 301",
			answer: "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: https://example.com:8080/a/b?q=1\r\n\r\n"},
		{name: "redirect prefix", rules: []string{"redirect prefix /new"},
			req: newReq("/pre/a?b=1"), wantPath: "/pre/a", stop: "redirect prefix /new",
			answer: "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /new/pre/a?b=1\r\ncache-control: no-cache\r\n\r\n"},
		{name: "redirect prefix slash", rules: []string{"redirect prefix / code 308"},
			req: newReq("/s/x?y"), wantPath: "/s/x", stop: "redirect prefix / code 308",
			answer: "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: /s/x?y\r\n\r\n"},
		{name: "redirect prefix drop-query append-slash", rules: []string{"redirect prefix /p drop-query append-slash code 303"},
			req: newReq("/dq/x?y"), wantPath: "/dq/x", stop: "redirect prefix /p drop-query append-slash code 303",
			answer: "HTTP/1.1 303 See Other\r\ncontent-length: 0\r\nlocation: /p/dq/x/\r\ncache-control: no-cache\r\n\r\n"},
		{name: "redirect location", rules: []string{"redirect location https://x.example/%[hdr(host)] code 307"},
			req: newReq("/", "Host: h"), wantPath: "/", wantHdrs: [][2]string{{"Host", "h"}}, stop: "redirect location https://x.example/%[hdr(host)] code 307",
			answer: "HTTP/1.1 307 Temporary Redirect\r\ncontent-length: 0\r\nlocation: https://x.example/h\r\ncache-control: no-cache\r\n\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := mustParse(t, tc.rules, Context{Section: "web"})
			stop, _ := EvalRequest(rs, tc.req, nil)
			got := struct {
				Path   string
				Hdrs   [][2]string
				Stop   string
				Answer string
			}{Path: tc.req.path, Hdrs: tc.req.hdrs}
			if stop != nil {
				got.Stop = stop.Line
				if stop.Action != Allow {
					got.Answer = string(stop.AppendResponse(nil, tc.req, false))
				}
			}
			want := got
			want.Path, want.Hdrs, want.Stop, want.Answer = tc.wantPath, tc.wantHdrs, tc.stop, tc.answer
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnswerClose(t *testing.T) {
	rs := mustParse(t, []string{"redirect location /x", "deny"}, Context{})
	got := string(rs[0].AppendResponse(nil, newReq("/"), true))
	want := "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got = string(rs[1].AppendResponse(nil, newReq("/"), true))
	if !strings.Contains(got, "content-type: text/html\r\nconnection: close\r\n\r\n<Forbidden>") {
		t.Errorf("deny close: %q", got)
	}
}

func TestEvalResponse(t *testing.T) {
	rs := mustParse(t, []string{
		"set-header X-Served %[status]-%[src]",
		"del-header Server",
		`replace-header Location ^http://(.*) https://\1`,
		"add-header X-Api 1 if has_x",
		"allow",
		"add-header X-Never 1",
	}, Context{Response: true})
	res := &fakeMsg{status: 302, hdrs: [][2]string{{"Server", "s"}, {"Location", "http://h/x"}, {"X", "1"}}}
	EvalResponse(rs, res, nil)
	want := [][2]string{{"Location", "https://h/x"}, {"X", "1"}, {"x-served", "302-198.18.0.7"}, {"x-api", "1"}}
	if diff := cmp.Diff(want, res.hdrs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		line string
		resp bool
		want string
	}{
		{"", false, "missing action"},
		{"tarpit", false, "http_request: unsupported action 'tarpit'"},
		{"deny", true, "http_response: unsupported action 'deny'"},
		{"set-header X", false, "http_request set-header: expects <name> <fmt>"},
		{"set-header X %[nosuch]", false, "unsupported fetch 'nosuch'"},
		{"set-header X %ci", false, "log-format variable '%ci' is not supported"},
		{"set-header X %[path,lower]", false, "converters are not supported"},
		{"set-header X %[path", false, "missing ']'"},
		{"set-header X %[req.hdr(host)]", true, "fetch 'req.hdr' is not available in http_response rules"},
		{"set-header X %[path]", true, "fetch 'path' is not available in http_response rules"},
		{"set-header X %[status]", false, "fetch 'status' is only available in http_response rules"},
		{"set-header X %[hdr()]", false, "needs a header name"},
		{"set-header X %[src(x)]", false, "takes no argument"},
		{"set-header X:Y v", false, "invalid header name 'X:Y'"},
		{"replace-header X ( y", false, "invalid regex '('"},
		{"replace-path a", false, "expects <match-regex> <replace-fmt>"},
		{"deny deny_status 299", false, "status code 299 has no error page"},
		{"deny deny_status abc", false, "invalid status code 'abc'"},
		{"deny foo", false, "expects [deny_status <code>]"},
		{`auth realm "a\"b"`, false, "must not contain quotes"},
		{"return status 99", false, "invalid status code '99'"},
		{"return string hi", false, "needs a 'content-type'"},
		{"return file /x", false, "'file' is not supported"},
		{"return status", false, "'status' expects an argument"},
		{"redirect location", false, "expects location|prefix|scheme"},
		{"redirect to /x", false, "unknown redirect type 'to'"},
		{"redirect foo /x", false, "unknown redirect type 'foo'"},
		{"redirect location /x code 305", false, "invalid redirect code '305'"},
		{"redirect location /x set-cookie A=1", false, "redirect option 'set-cookie' is not supported"},
		{"allow now", false, "expects no argument"},
		{"deny if nosuch", false, "unknown ACL 'nosuch'"},
		{`set-header X "unterminated`, false, "unmatched double quote"},
	}
	for _, tc := range tests {
		_, err := ParseRule(acl.NewSet(), tc.line, Context{Response: tc.resp})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseRule(%q): error %v, want it to contain %q", tc.line, err, tc.want)
		}
	}
	_, err := Parse(acl.NewSet(), []string{"allow", "nosuch", "deny"}, Context{})
	var ae *acl.Error
	if !errorsAs(err, &ae) || ae.Index != 1 {
		t.Errorf("Parse error index: %v", err)
	}
}

func errorsAs(err error, target **acl.Error) bool {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok || len(j.Unwrap()) != 1 {
		return false
	}
	e, ok := j.Unwrap()[0].(*acl.Error)
	*target = e
	return ok
}
