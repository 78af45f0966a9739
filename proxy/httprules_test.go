package proxy

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/acl"
	"haappliance/proxy/h1"
	"haappliance/proxy/rules"
)

func parseReq(t testing.TB, raw string) *h1.Request {
	t.Helper()
	req := &h1.Request{Headers: make([]h1.Header, 0, 16)}
	if _, err := h1.ParseRequest([]byte(raw), req, h1.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestEditReqSetPath(t *testing.T) {
	tests := []struct{ raw, path, uri, query string }{
		{"GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n", "/b/c", "/b/c?x=1", "x=1"},
		{"GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "/b", "/b", ""},
		{"GET http://h:8/a?y HTTP/1.1\r\nHost: h:8\r\n\r\n", "/z", "http://h:8/z?y", "y"},
		{"GET http://h HTTP/1.1\r\n\r\n", "/z", "http://h/z", ""},
	}
	for _, tc := range tests {
		req := parseReq(t, tc.raw)
		e := &editReq{reqSample: &reqSample{req: req}}
		e.SetPath([]byte(tc.path))
		got := []string{string(req.URI), string(req.Path), string(req.Query)}
		if diff := cmp.Diff([]string{tc.uri, tc.path, tc.query}, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.raw, diff)
		}
	}
}

func BenchmarkRequestRulesEngine(b *testing.B) {
	rs, err := rules.Parse(acl.NewSet(), []string{
		"set-header X-Forwarded-Proto https if { ssl_fc }",
		"set-header X-Client %[src]",
		"del-header X-Debug",
		"add-header X-Via haappliance",
		"set-path /v2%[path] if { path_beg /api }",
		"deny if { path_beg /admin }",
	}, rules.Context{})
	if err != nil {
		b.Fatal(err)
	}
	raw := "GET /api/x?y=1 HTTP/1.1\r\nHost: h\r\nX-Debug: 1\r\nUser-Agent: b\r\n\r\n"
	req := parseReq(b, raw)
	smp := &reqSample{req: req}
	e := &editReq{reqSample: smp}
	var scratch []byte
	buf := []byte(raw)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h1.ParseRequest(buf, req, h1.DefaultLimits); err != nil {
			b.Fatal(err)
		}
		e.arena = e.arena[:0]
		_, scratch = rules.EvalRequest(rs, e, scratch)
	}
}
