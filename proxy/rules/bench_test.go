package rules

import (
	"testing"

	"haappliance/proxy/acl"
)

func BenchmarkEvalRequest(b *testing.B) {
	set := acl.NewSet()
	rs, err := Parse(set, []string{
		"set-header X-Forwarded-Proto https if { ssl_fc }",
		"set-header X-Client %[src]",
		"del-header X-Debug",
		"add-header X-Via haappliance",
		"deny if { path_beg /admin }",
	}, Context{})
	if err != nil {
		b.Fatal(err)
	}
	req := newReq("/index.html", "Host: h", "X-Debug: 1")
	base := append([][2]string(nil), req.hdrs...)
	var scratch []byte
	b.ReportAllocs()
	for b.Loop() {
		req.hdrs = append(req.hdrs[:0], base...)
		_, scratch = EvalRequest(rs, req, scratch)
	}
}
