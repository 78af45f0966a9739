package acl

import "testing"

// benchConds are evaluated by the benchmarks and by TestEvalNoAlloc.
var benchConds = []struct {
	name, cond string
	smp        *fakeSample
}{
	{"seed_ms1", "if url_ms1", get("/ms1/static/app.js?v=3", "Host: www.example.com", "Accept: */*")},
	{"seed_miss", "if url_ms2", get("/default/index.html", "Host: www.example.com", "Accept: */*")},
	{"regex", "if { path_reg -i ^/api/v[0-9]+/users/[0-9]+$ }", get("/API/v2/users/12345")},
	{"hdr_dom", "if { hdr_dom(host) -i example.com }", get("/", "Accept: text/html", "Host: WWW.Example.COM:8080")},
	{"hdr_list", "if { hdr(x-forwarded-for) 198.18.0.50 }", get("/", "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 198.18.0.50")},
	{"http_request", "if { src 198.18.9.0/24 } !allowed || METH_POST", req("POST", "/x", "X-Token: nope").from("198.18.9.7")},
	{"url_param", "if { url_param(id) -m beg 42 } HTTP_1.1", get("/a?x=1&y=2&id=4242")},
	{"str_map", "if { path -i /a /b /c /d /e /f /g /h /i /j /login }", get("/LOGIN")},
	{"hdr_cnt", "if { hdr_cnt(x) gt 2 } || ssl_fc_x", get("/", "X: 1, 2", "X: 3")},
}

func benchSet(tb testing.TB) *Set {
	tb.Helper()
	s := NewSet()
	err := s.AddLines([]string{
		"url_ms1 path_beg -i /ms1/",
		"url_ms2 path_beg -i /ms2/",
		"allowed hdr(x-token) secret",
		"ssl_fc_x ssl_fc",
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestEvalNoAlloc(t *testing.T) {
	s := benchSet(t)
	for _, bc := range benchConds {
		c, err := s.ParseCond(bc.cond)
		if err != nil {
			t.Fatalf("%s: %v", bc.name, err)
		}
		c.Eval(bc.smp) // warm the regexp machine cache
		if n := testing.AllocsPerRun(100, func() { c.Eval(bc.smp) }); n != 0 {
			t.Errorf("%s: %v allocs per Eval, want 0", bc.name, n)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	s := benchSet(b)
	for _, bc := range benchConds {
		c, err := s.ParseCond(bc.cond)
		if err != nil {
			b.Fatalf("%s: %v", bc.name, err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Eval(bc.smp)
			}
		})
	}
}

// BenchmarkSeedRouting is the seed frontend's use_backend evaluation for
// one request that falls to the default backend (both conditions tried).
func BenchmarkSeedRouting(b *testing.B) {
	s := benchSet(b)
	rules, err := ParseUseBackends(s, []string{"ms1 if url_ms1", "ms2 if url_ms2"})
	if err != nil {
		b.Fatal(err)
	}
	smp := get("/index.html", "Host: www.example.com")
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rules {
			if r.Cond.Eval(smp) {
				break
			}
		}
	}
}

func BenchmarkParseCond(b *testing.B) {
	s := benchSet(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ParseCond("if { src 198.18.9.0/24 } !allowed || METH_POST"); err != nil {
			b.Fatal(err)
		}
	}
}
