package acl

import (
	"fmt"
	"strings"
	"testing"
)

// fuzzSamples are evaluated after every successful parse.
var fuzzSamples = []*fakeSample{
	get("/ms1/a.b?x=1&id=42", "Host: www.example.com", "X-F: a, \"b,c\", ", "Content-Length: 7"),
	req("POST", "http://h.example:80/x;JSESSIONID=s", "X: 1", "X:").from("2002:c612:0901::1").tls(),
	req("PURGE", "*").from("::ffff:10.0.0.1").http10(),
	{method: []byte{}, uri: []byte{}},
}

func fuzzSet() *Set {
	s := NewSet()
	s.AddUserlist("L1", userlist("Basic dXNlcjpwYXNz"))
	s.SetReadFile(func(name string) ([]byte, error) {
		if d, ok := testFiles[name]; ok {
			return []byte(d), nil
		}
		return nil, fmt.Errorf("no such file")
	})
	return s
}

func FuzzWords(f *testing.F) {
	for _, seed := range []string{
		"url_ms1 path_beg -i /ms1/", `a\ b "c d" 'e f' \x41 # x`, `"unterminated`, `\xZZ`,
		`"%{+Q}o %t"' %s'\ %{-Q}r`, `tail\`, `""''`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := Words(s)
		if err != nil {
			return
		}
		// Re-quoting every word strongly (where possible) must give the
		// same words back.
		var b strings.Builder
		for _, w := range words {
			if strings.Contains(w, "'") {
				return
			}
			b.WriteString("'" + w + "' ")
		}
		again, err := Words(b.String())
		if err != nil {
			t.Fatalf("Words(%q) re-quoted: %v", b.String(), err)
		}
		if len(again) != len(words) {
			t.Fatalf("Words(%q) = %q, re-quoted gives %q", s, words, again)
		}
		for i := range words {
			if words[i] != again[i] {
				t.Fatalf("Words(%q) = %q, re-quoted gives %q", s, words, again)
			}
		}
	})
}

func FuzzParseACL(f *testing.F) {
	for _, tt := range criteriaTests {
		f.Add("x " + tt.line)
	}
	for _, seed := range []string{"x path_bgn /", "x hdr(a,-1) -m dom .", "x src 10.12/255.0.255.0", "x hdr_cnt() lt -1 1-2 :3"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		s := fuzzSet()
		if err := s.Add(line); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Add(%q) error %T is not *Error", line, err)
			}
			return
		}
		words, _ := Words(line)
		c, err := s.ParseCondWords([]string{"if", words[0]})
		if err != nil {
			t.Fatalf("ParseCond on ACL %q: %v", words[0], err)
		}
		for _, smp := range fuzzSamples {
			c.Eval(smp)
		}
	})
}

func FuzzParseCond(f *testing.F) {
	for _, seed := range []string{
		"if a", "unless a || b", "if !a or { path_beg -i /x } b", "if { src 198.18.9.0/24 } !allowed || METH_POST",
		"if { path", "if ! !", "if }", "if HTTP_URL_STAR !METH_OPTIONS || METH_POST { hdr_cnt(content-length) eq 0 }",
		"if LOCALHOST HTTP_1.1 HTTP_CONTENT HTTP_URL_ABS", "if { http_auth(L1) } { url_param(id,;) -m reg ^4 }",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cond string) {
		s := fuzzSet()
		if err := s.AddLines([]string{"a path_beg /ms1/", "b hdr_sub(x-f) -i C", "allowed src 10.0.0.0/8"}); err != nil {
			t.Fatal(err)
		}
		c, err := s.ParseCond(cond)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("ParseCond(%q) error %T is not *Error", cond, err)
			}
			return
		}
		for _, smp := range fuzzSamples {
			c.Eval(smp)
		}
		if _, err := ParseUseBackend(s, "be "+cond); err != nil && !strings.Contains(cond, "%[") {
			// The same condition after a backend name must parse too,
			// unless the words merge differently (a leading comment).
			if w, _ := Words(cond); len(w) > 0 && w[0] == "if" || len(w) > 0 && w[0] == "unless" {
				t.Fatalf("ParseUseBackend(be %q): %v", cond, err)
			}
		}
	})
}
