package proxy

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxytest"
)

const rulesConfig = `
[defaults]
mode = "http"
option = ["http-keep-alive"]
timeout = { connect = "2s", client = "5s", server = "5s" }

[userlist.ops]
user = [
  { name = "alice", password = "wonder" },
  { name = "bob", password = "$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAip/08R2BPH2xk/" },
]

[frontend.web]
bind = ["127.0.0.1:0"]
acl = ["is_admin path_beg /admin", "auth_ok http_auth(ops)"]
http_request = [
  "auth realm Ops if is_admin !auth_ok",
  "set-header X-Set set-%[path]",
  "add-header X-Added 1",
  "del-header X-Drop",
  "replace-header X-Rep ^v=(.*)$ w=\\1",
  "set-path /sp%[path] if { path_beg /setpath }",
  "replace-path ^/rp/(.*) /replaced/\\1",
  "redirect scheme https code 301 if { path_beg /secure }",
  "redirect prefix /new if { path_beg /old }",
  "redirect location /elsewhere code 307 if { path /loc }",
  "deny if { path_beg /deny }",
  "deny deny_status 404 if { path_beg /hidden }",
  "return status 200 content-type text/plain string ok if { path /health }",
  "allow if { path_beg /allow }",
  "deny if { path_beg /allow }",
]
http_response = [
  "set-header X-Resp %[status]",
  "del-header X-Secret",
  "replace-header Location ^http://(.*)$ https://\\1",
  "add-header X-Fe 1",
]
default_backend = "app"

[backend.app]
http_request = ["set-header X-Backend app", "deny if { path_beg /bedeny }"]
http_response = ["add-header X-Be 1"]
server = [{ name = "s1", address = "{{BE}}" }]
`

func basicAuth(up string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(up))
}

func TestRulesEndToEnd(t *testing.T) {
	be := proxytest.NewBackend(t, "app")
	be.Handler = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Secret", "s")
		w.Header().Set("Location", "http://h/x")
		_, _ = io.WriteString(w, "path="+r.URL.RequestURI())
	}
	_, addr := startProxy(t, rulesConfig, "web", map[string]string{"BE": be.Addr()})

	type obs struct {
		Head    string // client: status line and selected headers
		Body    string
		Backend string // backend: URI and selected headers ("" when not reached)
	}
	tests := []struct {
		name string
		req  string
		want obs
	}{
		{"header edits reach the server, response edits the client",
			"GET /p HTTP/1.1\r\nHost: h\r\nX-Set: old\r\nX-Drop: 1\r\nX-Rep: v=7\r\n\r\n",
			obs{Head: "200 x-resp=200 x-secret= location=https://h/x x-fe=1 x-be=1", Body: "path=/p",
				Backend: "/p x-set=set-/p x-added=1 x-drop= x-rep=w=7 x-backend=app"}},
		{"set-path keeps the query", "GET /setpath/a?q=1 HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "200 x-resp=200 x-secret= location=https://h/x x-fe=1 x-be=1", Body: "path=/sp/setpath/a?q=1",
				Backend: "/sp/setpath/a?q=1 x-set=set-/setpath/a x-added=1 x-drop= x-rep= x-backend=app"}},
		{"replace-path", "GET /rp/x/y HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "200 x-resp=200 x-secret= location=https://h/x x-fe=1 x-be=1", Body: "path=/replaced/x/y",
				Backend: "/replaced/x/y x-set=set-/rp/x/y x-added=1 x-drop= x-rep= x-backend=app"}},
		{"redirect scheme", "GET /secure/a?b=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
			obs{Head: "301 x-resp= x-secret= location=https://example.com/secure/a?b=1 x-fe= x-be="}},
		{"redirect prefix", "GET /old/a HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "302 x-resp= x-secret= location=/new/old/a x-fe= x-be="}},
		{"redirect location", "GET /loc HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "307 x-resp= x-secret= location=/elsewhere x-fe= x-be="}},
		{"deny", "GET /deny HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "403 x-resp= x-secret= location= x-fe= x-be=", Body: ErrorBody(403)}},
		{"deny_status", "GET /hidden HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "404 x-resp= x-secret= location= x-fe= x-be=", Body: ErrorBody(404)}},
		{"return", "GET /health HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "200 x-resp= x-secret= location= x-fe= x-be=", Body: "ok"}},
		{"allow skips the rest of the frontend's rules", "GET /allow HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "200 x-resp=200 x-secret= location=https://h/x x-fe=1 x-be=1", Body: "path=/allow", Backend: "/allow x-set=set-/allow x-added=1 x-drop= x-rep= x-backend=app"}},
		{"backend rules", "GET /bedeny HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "403 x-resp= x-secret= location= x-fe= x-be=", Body: ErrorBody(403)}},
		{"auth without credentials", "GET /admin HTTP/1.1\r\nHost: h\r\n\r\n",
			obs{Head: "401 x-resp= x-secret= location= x-fe= x-be= www-authenticate=Basic realm=\"Ops\"", Body: ErrorBody(401)}},
		{"auth wrong password", "GET /admin HTTP/1.1\r\nHost: h\r\nAuthorization: " + basicAuth("alice:nope") + "\r\n\r\n",
			obs{Head: "401 x-resp= x-secret= location= x-fe= x-be= www-authenticate=Basic realm=\"Ops\"", Body: ErrorBody(401)}},
		{"auth plain password", "GET /admin HTTP/1.1\r\nHost: h\r\nAuthorization: " + basicAuth("alice:wonder") + "\r\n\r\n",
			obs{Head: "200 x-resp=200 x-secret= location=https://h/x x-fe=1 x-be=1", Body: "path=/admin",
				Backend: "/admin x-set=set-/admin x-added=1 x-drop= x-rep= x-backend=app authorization=" + basicAuth("alice:wonder")}},
		{"auth sha-512 password", "GET /admin HTTP/1.1\r\nHost: h\r\nAuthorization: " + basicAuth("bob:pw") + "\r\n\r\n",
			obs{Head: "200 x-resp=200 x-secret= location=https://h/x x-fe=1 x-be=1", Body: "path=/admin",
				Backend: "/admin x-set=set-/admin x-added=1 x-drop= x-rep= x-backend=app authorization=" + basicAuth("bob:pw")}},
	}
	c := proxytest.Dial(t, addr) // one keep-alive connection for every step
	for _, tc := range tests {
		before := be.Count()
		c.Send(t, tc.req)
		_, resp, body := c.Response(t, "GET")
		h := []string{resp.Status[:3]}
		for _, k := range []string{"X-Resp", "X-Secret", "Location", "X-Fe", "X-Be"} {
			h = append(h, strings.ToLower(k)+"="+resp.Header.Get(k))
		}
		if v := resp.Header.Get("Www-Authenticate"); v != "" {
			h = append(h, "www-authenticate="+v)
		}
		got := obs{Head: strings.Join(h, " "), Body: body}
		if be.Count() > before {
			s := be.Seen()[be.Count()-1]
			b := []string{s.URI}
			for _, k := range []string{"X-Set", "X-Added", "X-Drop", "X-Rep", "X-Backend"} {
				b = append(b, strings.ToLower(k)+"="+strings.Join(s.Header.Values(k), ","))
			}
			if v := s.Header.Get("Authorization"); v != "" {
				b = append(b, "authorization="+v)
			}
			got.Backend = strings.Join(b, " ")
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
		if resp.Close {
			t.Fatalf("%s: connection closed", tc.name)
		}
	}
}

// TestRulesAnswerWithBody: as haproxy's H1 mux, an answered request whose
// body has fully arrived keeps the connection (the body is skipped and the
// next request is read after it); one whose body is still coming closes it.
func TestRulesAnswerWithBody(t *testing.T) {
	be := proxytest.NewBackend(t, "app")
	_, addr := startProxy(t, rulesConfig, "web", map[string]string{"BE": be.Addr()})
	tests := []struct {
		name, req string
		close     bool
	}{
		{"whole length body", "POST /deny HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", false},
		{"whole chunked body", "POST /deny HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", false},
		{"partial length body", "POST /deny HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", true},
		{"partial chunked body", "POST /deny HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", true},
	}
	for _, tc := range tests {
		c := proxytest.Dial(t, addr)
		c.Send(t, tc.req)
		head, resp, _ := c.Response(t, "POST")
		if resp.StatusCode != 403 || strings.Contains(head, "connection: close") != tc.close {
			t.Errorf("%s: want 403, close=%v; got %q", tc.name, tc.close, head)
			continue
		}
		if tc.close {
			continue
		}
		c.Send(t, "GET /health HTTP/1.1\r\nHost: h\r\n\r\n")
		if _, resp, body := c.Response(t, "GET"); resp.StatusCode != 200 || body != "ok" {
			t.Errorf("%s: next request on the connection: %d %q", tc.name, resp.StatusCode, body)
		}
	}
}
