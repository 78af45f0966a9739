package rules

import (
	"testing"

	"haappliance/proxy/acl"
)

func FuzzParseRule(f *testing.F) {
	for _, s := range []string{
		"set-header X-A %[src]-%[hdr(host)] if { path_beg /a }",
		`replace-header Cookie foo=([^;]*);(.*) foo=\1;\2`,
		"redirect scheme https code 301 unless { ssl_fc }",
		`return status 200 content-type text/plain lf-string "%[path]" hdr X %%`,
		"deny deny_status 404", "auth realm r", "set-path /x%[path]", "%[", "set-header a %[req.hdr(",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, resp bool) {
		r, err := ParseRule(acl.NewSet(), line, Context{Response: resp, Section: "s"})
		if err != nil {
			return
		}
		req := newReq("/a/b?c", "Host: h", "Cookie: foo=1;x", "X-A: 1")
		req.status = 200
		if resp {
			EvalResponse([]*Rule{r}, req, nil)
			return
		}
		if stop, _ := EvalRequest([]*Rule{r}, req, nil); stop != nil {
			stop.AppendResponse(nil, req, true)
		}
	})
}
