package acl

import (
	"fmt"
	"testing"
)

// evalACL defines "x" with line (after the name) and evaluates "if x".
func evalACL(t *testing.T, line string, smp Sample) bool {
	t.Helper()
	s := NewSet()
	s.AddUserlist("L1", userlist("Basic dXNlcjpwYXNz"))
	s.SetReadFile(func(name string) ([]byte, error) {
		if data, ok := testFiles[name]; ok {
			return []byte(data), nil
		}
		return nil, fmt.Errorf("no such file")
	})
	if err := s.Add("x " + line); err != nil {
		t.Fatalf("Add(%q): %v", line, err)
	}
	c, err := s.ParseCond("if x")
	if err != nil {
		t.Fatalf("ParseCond: %v", err)
	}
	return c.Eval(smp)
}

var testFiles = map[string]string{
	"paths.lst": "# static content\n\n  /static/\n/img/\r\n #not a comment\n",
	"ips.lst":   "198.18.9.0/24\n::1\n",
	"ints.lst":  "11:\n",
	"bad.lst":   "gt 10\n",
	"many.lst":  "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n/exact\n",
}

func get(uri string, h ...string) *fakeSample { return req("GET", uri, h...) }

// criteriaTests cover every criterion, flag and match method.
var criteriaTests = []struct {
	line string
	smp  *fakeSample
	want bool
}{
	// path and its derivatives, with and without -i.
	{"path /a/b", get("/a/b?x=1"), true},
	{"path /a/b", get("/a/b/"), false},
	{"path /A/B", get("/a/b"), false},
	{"path -i /A/B", get("/a/b"), true},
	{"path /a/b", get("http://h.example/a/b?q"), true},
	{"path -m found", get("*"), false},
	{"path -m found", get("/"), true},
	{"path_beg /ms1/", get("/ms1/x"), true},
	{"path_beg /ms1/", get("/MS1/x"), false},
	{"path_beg -i /ms1/", get("/MS1/x"), true},
	{"path_beg -i /MS1/", get("/ms1/x"), true},
	{"path_beg /ms1/", get("/ms1"), false},
	{"path_beg /x /ms1/", get("/ms1/"), true},
	{"path_end .jpg .png", get("/a/b.png?x"), true},
	{"path_end .jpg", get("/a/b.JPG"), false},
	{"path_end -i .jpg", get("/a/b.JPG"), true},
	{"path_end .jpg", get("/jpg"), false},
	{"path_sub /admin", get("/x/admin/y"), true},
	{"path_sub /admin", get("/x/ADMIN/y"), false},
	{"path_sub -i /admin", get("/x/ADMIN/y"), true},
	{"path_sub /admin", get("/x/adm"), false},
	{"path_dir images", get("/images/png/logo/32x32.png"), true},
	{"path_dir /images/png", get("/images/png/logo/32x32.png"), true},
	{"path_dir images/png", get("/images/png/logo/32x32.png"), true},
	{"path_dir /png/logo", get("/images/png/logo/32x32.png"), true},
	{"path_dir logo/32x32.png", get("/images/png/logo/32x32.png"), true},
	{"path_dir png", get("/images/png/logo/32x32.png"), true},
	{"path_dir 32x32", get("/images/png/logo/32x32.png"), false},
	{"path_dir ima", get("/images/png"), false},
	{"path_dir IMAGES", get("/images/png"), false},
	{"path_dir -i IMAGES", get("/images/png"), true},
	{"path_dir /", get("/images/png"), false},
	{"path_dom example", get("/www.example.com/x"), true},
	{"path_len 4", get("/abc"), true},
	{"path_len 5:", get("/abc"), false},
	{"path_len lt 5", get("/abc"), true},
	{"path_reg ^/api/v[0-9]+/", get("/api/v2/x"), true},
	{"path_reg ^/api/v[0-9]+/", get("/API/v2/x"), false},
	{"path_reg -i ^/api/v[0-9]+/", get("/API/V2/x"), true},
	{`path_reg \.json$`, get("/a.json"), true},
	{`path_reg \.json$`, get("/ajson"), false},
	{"path_reg json", get("/a.json"), true}, // unanchored

	// url and query.
	{"url /a?b=1", get("/a?b=1"), true},
	{"url *", get("*"), true},
	{"url_beg /", get("*"), false},
	{"url_beg /a?", get("/a?b"), true},
	{"url_beg -i /A?", get("/a?b"), true},
	{"url_end =1", get("/a?b=1"), true},
	{"url_end -i =X", get("/a?b=x"), true},
	{"url_sub b=1", get("/a?b=1"), true},
	{"url_sub -i B=1", get("/a?b=1"), true},
	{"url_sub B=1", get("/a?b=1"), false},
	{"url_dom www1 dc-eu", get("http://www1.dc-eu.example.com:80/blah"), true},
	{"url_dom .www1 :www1: dc-eu.example:80", get("http://www1.dc-eu.example.com:80/blah"), true},
	{"url_dom eu", get("http://www1.dc-eu.example.com:80/blah"), false},
	{"url_dom dc", get("http://www1.dc-eu.example.com:80/blah"), false},
	{"url_dom -i WWW1", get("http://www1.dc-eu.example.com/"), true},
	{"url_dir b", get("/a/b?c"), true},
	{"url_len 6", get("/a?b=1"), true},
	{"url_reg ^[^/:]*://", get("http://h/"), true},
	{"query b=1&c", get("/a?b=1&c"), true},
	{"query -m found", get("/a?"), true},
	{"query -m len 0", get("/a?"), true},
	{"query -m found", get("/a"), false},

	// url_param / urlp.
	{"url_param(id) 42", get("/a?x=1&id=42"), true},
	{"url_param(id) 42", get("/a?x=1;id=42"), true},
	{"url_param(id) 42", get("/a?id=7&id=42"), true},
	{"url_param(id) 42", get("/a?ID=42"), false},
	{"url_param(id) -i ABC", get("/a?id=abc"), true},
	{"url_param(id) ABC", get("/a?id=abc"), false},
	{"url_param(id) -m found", get("/a?id"), false},
	{"url_param(id) -m found", get("/a?id="), true},
	{"url_param(id) -m found", get("/a"), false},
	{"url_param(JSESSIONID,;) s1", get("/foo;JSESSIONID=s1"), true},
	{"url_param() 2", get("/a?x=1&y=2"), true},
	{"urlp(id) 42", get("/a?id=42"), true},
	{"urlp_beg(id) 4", get("/a?id=42"), true},
	{"urlp_reg(id) ^[0-9]+$", get("/a?id=42"), true},
	{"urlp_sub(id) -i X", get("/a?id=axb"), true},
	{"urlp_end(id) 2", get("/a?id=42"), true},
	{"urlp_len(id) 2", get("/a?id=42"), true},
	{"urlp_dir(id) b", get("/a?id=a/b"), true},
	{"urlp_dom(id) b", get("/a?id=a.b"), true},

	// hdr family: every comma-separated value of every occurrence.
	{"hdr(host) www.example.com", get("/", "Host: www.example.com"), true},
	{"hdr(Host) www.example.com", get("/", "HOST:   www.example.com  "), true},
	{"hdr(host) WWW.example.com", get("/", "Host: www.example.com"), false},
	{"hdr(host) -i WWW.example.com", get("/", "Host: www.example.com"), true},
	{"hdr(x-f) b", get("/", "X-F: a, b ,c"), true},
	{"hdr(x-f) b", get("/", "X-F: a", "X-F: b"), true},
	{"hdr(x-f) -m found", get("/", "Y: a"), false},
	{"hdr(x-f) -m found", get("/", "X-F:"), true},
	{`hdr(x-f) "\"a,b\""`, get("/", `X-F: "a,b", c`), true},
	{"hdr(x-f) c", get("/", `X-F: "a,\"b,", c`), true},
	{"hdr(x-f) a", get("/", `X-F: "a,\"b,", c`), false},
	{"hdr(x-f,1) a", get("/", "X-F: a, b", "X-F: c"), true},
	{"hdr(x-f,1) b", get("/", "X-F: a, b", "X-F: c"), false},
	{"hdr(x-f,2) b", get("/", "X-F: a, b", "X-F: c"), true},
	{"hdr(x-f,-1) c", get("/", "X-F: a, b", "X-F: c"), true},
	{"hdr(x-f,-1) b", get("/", "X-F: a, b", "X-F: c"), false},
	{"hdr(x-f,-3) a", get("/", "X-F: a, b", "X-F: c"), true},
	{"hdr(x-f,-4) -m found", get("/", "X-F: a, b", "X-F: c"), false},
	{"hdr(x-f,9) -m found", get("/", "X-F: a"), false},
	{"hdr() b", get("/", "A: a", "B: b"), true},
	{"req.hdr(x-f) -m str b", get("/", "X-F: a,b"), true},
	{"hdr(x) -m len 0", get("/", "X: a,,b"), true},
	{"hdr(x) -m len 0", get("/", "X: a,"), true},
	{"hdr(x) -m len 0", get("/", "X: a"), false},
	{"hdr_cnt(x) 3", get("/", "X: a,,b"), true},
	{"hdr_cnt(x) 2", get("/", "X: a,"), true},
	{"hdr_cnt(x) 1", get("/", "X:"), true},
	{"url_param() -m found", get("/a?x"), false},
	{"url_param() x", get("/a?x&y=x"), true},
	{"url_param(y) 2", get("/a?x=1#y=2"), false},
	{"path_dir /", get("/a/"), false},
	{"path_dom .", get("/a.b"), false},
	{"hdr(x) b", get("/", "X: \"a, b"), false},
	{"hdr(ua) -m sub Mozilla", get("/", "UA: Mozilla/5.0 (X11, Linux)"), true},
	{"req.fhdr(ua) -m str", get("/"), false},
	{"req.fhdr(ua) -m end Linux)", get("/", "UA: Mozilla/5.0 (X11, Linux)"), true},
	{"hdr(ua) -m end Linux)", get("/", "UA: Mozilla/5.0 (X11, Linux)"), true},
	{"req.fhdr(ua) -m str Linux)", get("/", "UA: Mozilla/5.0 (X11, Linux)"), false},
	{"req.fhdr(ua,-1) -m beg b", get("/", "UA: a", "UA: b"), true},
	{"hdr_beg(host) www.", get("/", "Host: www.example.com"), true},
	{"hdr_beg(host) WWW.", get("/", "Host: www.example.com"), false},
	{"hdr_beg(host) -i WWW.", get("/", "Host: www.example.com"), true},
	{"hdr_end(host) .com", get("/", "Host: www.example.com"), true},
	{"hdr_end(host) -i .COM", get("/", "Host: www.example.com"), true},
	{"hdr_end(host) .COM", get("/", "Host: www.example.com"), false},
	{"hdr_sub(host) example", get("/", "Host: www.example.com"), true},
	{"hdr_sub(host) -i EXAMPLE", get("/", "Host: www.example.com"), true},
	{"hdr_sub(host) EXAMPLE", get("/", "Host: www.example.com"), false},
	{"hdr_reg(host) ^www\\.", get("/", "Host: www.example.com"), true},
	{"hdr_reg(host) ^WWW", get("/", "Host: www.example.com"), false},
	{"hdr_reg(host) -i ^WWW", get("/", "Host: www.example.com"), true},
	{"hdr_dom(host) example", get("/", "Host: www.example.com:8080"), true},
	{"hdr_dom(host) 8080", get("/", "Host: www.example.com:8080"), true},
	{"hdr_dom(host) exam", get("/", "Host: www.example.com"), false},
	{"hdr_dom(host) -i EXAMPLE.COM", get("/", "Host: www.example.com"), true},
	{"hdr_dom(host) EXAMPLE.COM", get("/", "Host: www.example.com"), false},
	{"hdr_dir(referer) b", get("/", "Referer: /a/b/c"), true},
	{"hdr_dir(referer) -i B", get("/", "Referer: /a/b/c"), true},
	{"hdr_len(host) 3", get("/", "Host: abc"), true},
	{"hdr_len(host) gt 3", get("/", "Host: abc"), false},

	// Counters and integer matching with operators and ranges.
	{"hdr_cnt(x) 3", get("/", "X: a, b", "X: c"), true},
	{"req.hdr_cnt(x) eq 2", get("/", "X: a, b", "X: c"), false},
	{"req.fhdr_cnt(x) 2", get("/", "X: a, b", "X: c"), true},
	{"hdr_cnt(x) 0", get("/"), true},
	{"hdr_cnt() 2", get("/", "A: 1", "B: 2"), true},
	{"hdr_cnt(x) gt 1", get("/", "X: a", "X: b"), true},
	{"hdr_cnt(x) gt 2", get("/", "X: a", "X: b"), false},
	{"hdr_cnt(x) ge 2", get("/", "X: a", "X: b"), true},
	{"hdr_cnt(x) lt 2", get("/", "X: a", "X: b"), false},
	{"hdr_cnt(x) le 2", get("/", "X: a", "X: b"), true},
	{"hdr_cnt(x) 1:100", get("/", "X: a"), true},
	{"hdr_cnt(x) 2:100", get("/", "X: a"), false},
	{"hdr_cnt(x) :1", get("/", "X: a"), true},
	{"hdr_cnt(x) 2:", get("/", "X: a"), false},
	{"hdr_cnt(x) 1-3", get("/", "X: a, b"), true},
	{"hdr_cnt(x) lt 1 5", get("/", "X: a,b,c,d"), true},
	{"hdr_cnt(x) lt 1 5", get("/", "X: a,b,c,d,e"), false},
	{"hdr_cnt(x) lt 1 5", get("/"), true},
	{"hdr_cnt(x) gt 3 eq 1", get("/", "X: a"), true},
	{"hdr_cnt(x) -m bool", get("/", "X: a"), true},
	{"hdr_cnt(x) -m bool", get("/"), false},
	{"hdr_cnt(x) -m found", get("/"), true},
	{"hdr_cnt(x) -m str 2", get("/", "X: a, b"), true},
	{"hdr_cnt(x) -m reg ^[0-9]$", get("/", "X: a, b"), true},
	{"hdr_cnt(x) -f ints.lst", get("/", "X: 1,2,3,4,5,6,7,8,9,10,11"), true},
	{"hdr_cnt(x) -f ints.lst", get("/", "X: 1"), false},
	{"hdr_val(content-length) gt 0", get("/", "Content-Length: 12"), true},
	{"req.hdr_val(content-length) gt 0", get("/", "Content-Length: 0"), false},
	{"hdr_val(x) lt 0", get("/", "X: -5"), true},
	{"hdr_val(x) 0", get("/", "X: abc"), true},

	// method: known methods by identity, others as strings.
	{"method GET HEAD", req("HEAD", "/"), true},
	{"method GET", req("POST", "/"), false},
	{"method get", req("GET", "/"), false},
	{"method -i get", req("GET", "/"), false},
	{"method PURGE", req("PURGE", "/"), true},
	{"method purge", req("PURGE", "/"), false},
	{"method -i purge", req("PURGE", "/"), true},
	{"method GET", req("get", "/"), false},
	{"method -m beg GE", req("GET", "/"), true},
	{"method -m str -i get", req("GET", "/"), true},
	{"method -m found", req("GET", "/"), true},

	// src: IPv4, IPv6, CIDR, dotted masks, short forms, mapping.
	{"src 127.0.0.1", get("/"), true},
	{"src 198.18.9.0/24", get("/").from("198.18.9.77"), true},
	{"src 198.18.9.0/24", get("/").from("198.18.10.1"), false},
	{"src 198.18.9.5/24", get("/").from("198.18.9.77"), true},
	{"src 10.0.0.0/255.0.0.0", get("/").from("10.9.8.7"), true},
	{"src 10.0.0.5/255.0.0.255", get("/").from("10.9.8.5"), true},
	{"src 10.0.0.5/255.0.0.255", get("/").from("10.9.8.6"), false},
	{"src 127.1", get("/"), true},
	{"src 10.12", get("/").from("10.0.0.12"), true},
	{"src 192.168.1/22", get("/").from("192.168.0.9"), true},
	{"src 0.0.0.0/0", get("/").from("203.0.113.9"), true},
	{"src 2001:db8::/32", get("/").from("2001:db8::1"), true},
	{"src 2001:db8::/32", get("/").from("2001:db9::1"), false},
	{"src ::1", get("/").from("::1"), true},
	{"src 198.18.9.0/24", get("/").from("::ffff:198.18.9.1"), true},
	{"src 198.18.9.0/24", get("/").from("::198.18.9.1"), true},
	{"src 198.18.9.0/24", get("/").from("2002:c612:0901::1"), true},
	{"src 198.18.9.0/24", get("/").from("2001:db8::198.18.9.1"), false},
	{"src ::ffff:198.18.9.0/120", get("/").from("198.18.9.1"), true},
	{"src -f ips.lst", get("/").from("198.18.9.3"), true},
	{"src -f ips.lst", get("/").from("::1"), true},
	{"src -f ips.lst", get("/").from("198.18.8.3"), false},
	{"src -m found", get("/"), true},
	{"src -m str 127.0.0.1", get("/"), true},
	{"src -m beg 127.", get("/"), true},
	{"src -m int 2130706433", get("/"), true},

	// ssl_fc and other booleans.
	{"ssl_fc", get("/").tls(), true},
	{"ssl_fc", get("/"), false},
	{"ssl_fc -m int 0", get("/"), true},
	{"ssl_fc -m str 1", get("/").tls(), true},
	{"ssl_fc -m found", get("/"), true},
	{"always_true", get("/"), true},
	{"always_false", get("/"), false},
	{"req.proto_http", get("/"), true},
	{"req.ver 1.1", get("/"), true},
	{"req_ver 1.0", get("/").http10(), true},
	{"req.ver 1.0", get("/"), false},

	// http_auth against a userlist.
	{"http_auth(L1)", get("/", "Authorization: Basic dXNlcjpwYXNz"), true},
	{"http_auth(L1)", get("/", "Authorization: Basic eA=="), false},
	{"http_auth(L1)", get("/"), false},

	// Flags and values.
	{"path -i /A /B", get("/b"), true},
	{"path -- -i", get("-i"), false},
	{"url -- -i", req("GET", "-i"), true},
	{"url -i -- -I", req("GET", "-i"), true},
	{"url /x -i", req("GET", "-i"), true},
	{"url /x -i", req("GET", "-I"), false},
	{"path -n /a", get("/a"), true},
	{"path -u 7 /a", get("/a"), true},
	{"path_beg -f paths.lst", get("/img/x"), true},
	{"path_beg -f paths.lst", get("/static/x"), true},
	{"path_beg -f paths.lst", get("#not"), false},
	{"path_beg -f paths.lst", get("/other"), false},
	{"path_beg -f paths.lst -i", get("/IMG/x"), false},
	{"path_beg -i -f paths.lst", get("/IMG/x"), true},
	{"path_beg -f paths.lst -i /X/", get("/x/"), true},
	{"path -m beg /a", get("/abc"), true},
	{"path -m end bc", get("/abc"), true},
	{"path -m sub b", get("/abc"), true},
	{"path -m dir abc", get("/abc"), true},
	{"path -m dom abc", get("/abc"), true},
	{"path -m reg ^/a", get("/abc"), true},
	{"path -m len 4", get("/abc"), true},
	{"path -m found", get("/abc"), true},
	{"path -m bin 2f616263", get("/abc"), true},
	{"path -m bin 2F414243", get("/abc"), false},
	{"path -m int 5", get("/abc"), false},
	{"hdr(x) -m int gt 5", get("/", "X: 12abc"), true},
	{"hdr(x) -m bool", get("/", "X: 0"), false},
	{"hdr(x) -m bool", get("/", "X: 7"), true},
	{"hdr(x) -m ip 198.18.0.0/15", get("/", "X: 198.19.1.1"), true},
	{"hdr(x) -m ip 198.18.0.0/15", get("/", "X: bogus"), false},
	{"path -m str -f many.lst", get("/exact"), true},
	{"path -m str -f many.lst", get("/EXACT"), false},
	{"path -m str -i -f many.lst", get("/EXACT"), true},
	{"path -m str -i -f many.lst", get("/nope"), false},
	{"path_beg", get("/a"), false}, // no pattern: never matches
}

func TestCriteria(t *testing.T) {
	for _, tt := range criteriaTests {
		got := evalACL(t, tt.line, tt.smp)
		if got != tt.want {
			t.Errorf("acl x %s on %s %s %q: got %v, want %v", tt.line, tt.smp.method, tt.smp.uri, tt.smp.values, got, tt.want)
		}
	}
}
