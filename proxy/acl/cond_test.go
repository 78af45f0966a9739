package acl

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// condSet has a=path_beg /a, b=path_end .b, c=src 198.18.9.0/24, and m
// defined twice (OR of two lines).
func condSet(t *testing.T) *Set {
	t.Helper()
	s := NewSet()
	err := s.AddLines([]string{
		"a path_beg /a",
		"b path_end .b",
		"c src 198.18.9.0/24",
		"allowed hdr(x-token) secret",
		"m path /m1",
		"m path /m2",
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCondEval(t *testing.T) {
	tests := []struct {
		cond string
		smp  *fakeSample
		want bool
	}{
		{"if a", get("/a/x"), true},
		{"if a", get("/x"), false},
		{"unless a", get("/a/x"), false},
		{"unless a", get("/x"), true},
		{"if a b", get("/a/x.b"), true},
		{"if a b", get("/a/x"), false},
		{"if a !b", get("/a/x"), true},
		{"if !a", get("/x"), true},
		{"if !!a", get("/a"), true},
		{"if ! a", get("/x"), true},
		{"if ! ! a", get("/x"), false},
		{"if a || b", get("/x.b"), true},
		{"if a or b", get("/x.b"), true},
		{"if a OR b", get("/x.b"), true},
		{"if a Or b", get("/z"), false},
		{"if a b || TRUE", get("/z"), true},
		{"if FALSE || a b", get("/a.b"), true},
		{"if FALSE || a b", get("/a"), false},
		{"if !a || !b", get("/a.b"), false},
		{"if m", get("/m1"), true},
		{"if m", get("/m2"), true},
		{"if m", get("/m3"), false},
		{"if { path /x }", get("/x"), true},
		{"if !{ path /x }", get("/x"), false},
		{"if ! { path /x }", get("/y"), true},
		{"if { path -i /X /y } a", get("/x"), false},
		{"if { path -i /X /y } || a", get("/x"), true},
		{"if { src 198.18.9.0/24 } !allowed || METH_POST", get("/").from("198.18.9.1"), true},
		{"if { src 198.18.9.0/24 } !allowed || METH_POST", get("/", "X-Token: secret").from("198.18.9.1"), false},
		{"if { src 198.18.9.0/24 } !allowed || METH_POST", req("POST", "/", "X-Token: secret").from("198.18.9.1"), true},
		{"if { src 198.18.9.0/24 } !allowed || METH_POST", get("/"), false},
		{"unless METH_GET or METH_POST or METH_OPTIONS", req("PUT", "/"), true},
		{"unless METH_GET or METH_POST or METH_OPTIONS", req("HEAD", "/"), false},
		{"if HTTP_URL_STAR !METH_OPTIONS || METH_POST { hdr_cnt(content-length) eq 0 }", req("POST", "/"), true},
		{"if HTTP_URL_STAR !METH_OPTIONS || METH_POST { hdr_cnt(content-length) eq 0 }", req("OPTIONS", "*"), false},
		{"if HTTP_URL_STAR !METH_OPTIONS || METH_POST { hdr_cnt(content-length) eq 0 }", req("GET", "*"), true},
		{`if { hdr(x) "a b" }`, get("/", "X: a b"), true},
		{`if { hdr(x) 'a b' }`, get("/", "X: a b"), true},
		{`if { hdr(x) a\ b }`, get("/", "X: a b"), true},
	}
	for _, tt := range tests {
		s := condSet(t)
		c, err := s.ParseCond(tt.cond)
		if err != nil {
			t.Errorf("ParseCond(%q): %v", tt.cond, err)
			continue
		}
		if got := c.Eval(tt.smp); got != tt.want {
			t.Errorf("%s on %s %s %q: got %v, want %v", tt.cond, tt.smp.method, tt.smp.uri, tt.smp.values, got, tt.want)
		}
		if got := c.String(); got == "" {
			t.Errorf("ParseCond(%q).String() is empty", tt.cond)
		}
	}
	var nilCond *Cond
	if !nilCond.Eval(get("/")) || nilCond.String() != "" {
		t.Error("nil Cond must evaluate true and print empty")
	}
}

// TestCondLateLines: lines added to an ACL after a condition used it still
// count, as haproxy links conditions to ACLs by reference.
func TestCondLateLines(t *testing.T) {
	s := condSet(t)
	c, err := s.ParseCond("if m")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add("m path /m3"); err != nil {
		t.Fatal(err)
	}
	if !c.Eval(get("/m3")) {
		t.Error("later line of m not seen")
	}
}

func TestCondErrors(t *testing.T) {
	tests := []struct{ cond, want, word string }{
		{"", "conditions must start with either 'if' or 'unless'", ""},
		{"when a", "conditions must start with either 'if' or 'unless'", "when"},
		{"IF a", "conditions must start with either 'if' or 'unless'", "IF"},
		{"if", "missing condition after 'if'", "if"},
		{"unless", "missing condition after 'unless'", "unless"},
		{"if !", "'!' without an ACL after it", "!"},
		{"if a !", "'!' without an ACL after it", "!"},
		{"if a ||", "condition ends with '||'", "||"},
		{"if a or", "condition ends with 'or'", "or"},
		{"if or a", "'or' without a condition before it", "or"},
		{"if a || || b", "'||' without a condition before it", "||"},
		{"if url_ms3", "unknown ACL 'url_ms3'", "url_ms3"},
		{"if a nope", "unknown ACL 'nope'", "nope"},
		{"if { path_beg /x", "missing closing '}' in condition", "{"},
		{"if { }", "empty anonymous ACL '{ }' in condition", "{"},
		{"if a }", "unexpected '}' in condition", "}"},
		{"if { path_bgn /x }", "unknown ACL criterion 'path_bgn'", "path_bgn"},
		{"if { path_reg ( }", "regex '(' is invalid: error parsing regexp: missing closing ): `(`", "("},
		{"if a ''", "empty word in condition", ""},
		{`if "a`, `unmatched double quote in 'if "a'`, "if \"a"},
		{"if {path /x}", "unknown ACL '{path'", "{path"},
	}
	for _, tt := range tests {
		_, err := condSet(t).ParseCond(tt.cond)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("ParseCond(%q) = %v, want *Error %q", tt.cond, err, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, pe.Msg); diff != "" {
			t.Errorf("ParseCond(%q) message (-want +got):\n%s", tt.cond, diff)
		}
		if diff := cmp.Diff(tt.word, pe.Word); diff != "" {
			t.Errorf("ParseCond(%q) word (-want +got):\n%s", tt.cond, diff)
		}
	}
}

func TestSplitRule(t *testing.T) {
	tests := []struct {
		in         []string
		head, cond []string
	}{
		{[]string{"deny"}, []string{"deny"}, nil},
		{[]string{"deny", "if", "a"}, []string{"deny"}, []string{"if", "a"}},
		{[]string{"set-header", "X", "y", "unless", "a", "||", "b"}, []string{"set-header", "X", "y"}, []string{"unless", "a", "||", "b"}},
		{[]string{"if", "a"}, []string{}, []string{"if", "a"}},
		{nil, nil, nil},
	}
	for _, tt := range tests {
		head, cond := SplitRule(tt.in)
		if diff := cmp.Diff(tt.head, head); diff != "" {
			t.Errorf("SplitRule(%q) head (-want +got):\n%s", tt.in, diff)
		}
		if diff := cmp.Diff(tt.cond, cond); diff != "" {
			t.Errorf("SplitRule(%q) cond (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestSeedUseBackend is the seed scenario's routing.
func TestSeedUseBackend(t *testing.T) {
	s := NewSet()
	if err := s.AddLines([]string{"url_ms1 path_beg -i /ms1/", "url_ms2 path_beg -i /ms2/"}); err != nil {
		t.Fatal(err)
	}
	rules, err := ParseUseBackends(s, []string{"ms1 if url_ms1", "ms2 if url_ms2"})
	if err != nil {
		t.Fatal(err)
	}
	route := func(smp Sample) string {
		for _, r := range rules {
			if r.Cond.Eval(smp) {
				return r.Backend
			}
		}
		return "default_servers"
	}
	for uri, want := range map[string]string{
		"/ms1/index.html": "ms1", "/MS1/x": "ms1", "/ms2/": "ms2", "/Ms2/a?b": "ms2",
		"/ms1": "default_servers", "/": "default_servers", "/ms3/": "default_servers",
		"http://www.example.com/ms2/x": "ms2",
	} {
		if got := route(get(uri)); got != want {
			t.Errorf("route(%s) = %s, want %s", uri, got, want)
		}
	}
}

func TestParseUseBackend(t *testing.T) {
	s := condSet(t)
	ub, err := ParseUseBackend(s, "static")
	if err != nil || ub.Backend != "static" || ub.Cond != nil {
		t.Errorf("ParseUseBackend(static) = %+v, %v", ub, err)
	}
	ub, err = ParseUseBackend(s, `"my backend" unless a`)
	if err != nil || ub.Backend != "my backend" || ub.Cond.String() != "unless a" {
		t.Errorf("ParseUseBackend(quoted) = %+v, %v", ub, err)
	}

	tests := []struct{ line, want string }{
		{"", "use_backend: missing backend name"},
		{"if a", "use_backend: missing backend name"},
		{"ms1 ms2 if a", "use_backend: unexpected 'ms2' after backend name 'ms1' (expected 'if' or 'unless')"},
		{"ms1 when a", "use_backend: unexpected 'when' after backend name 'ms1' (expected 'if' or 'unless')"},
		{"be_%[req.hdr(host)] if a", "use_backend: dynamic backend name 'be_%[req.hdr(host)]' is not supported"},
		{"ms1 if", "missing condition after 'if'"},
		{"ms1 if url_ms3", "unknown ACL 'url_ms3'"},
		{"'ms1 if a", "unmatched single quote in ''ms1 if a'"},
	}
	for _, tt := range tests {
		_, err := ParseUseBackend(s, tt.line)
		if err == nil {
			t.Errorf("ParseUseBackend(%q): no error", tt.line)
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("ParseUseBackend(%q) (-want +got):\n%s", tt.line, diff)
		}
	}

	rules, err := ParseUseBackends(s, []string{"ok if a", "bad if nope", "ok2", "x y"})
	var got []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		pe := e.(*Error)
		got = append(got, fmt.Sprintf("%d %s", pe.Index, pe.Msg))
	}
	want := []string{"1 unknown ACL 'nope'", "3 use_backend: unexpected 'y' after backend name 'x' (expected 'if' or 'unless')"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseUseBackends errors (-want +got):\n%s", diff)
	}
	if len(rules) != 2 || rules[0].Backend != "ok" || rules[1].Backend != "ok2" {
		t.Errorf("ParseUseBackends rules = %+v", rules)
	}
}

// TestEvalConcurrent runs under -race: evaluation shares nothing mutable.
func TestEvalConcurrent(t *testing.T) {
	var s Set
	if err := s.Add("x path_reg -i ^/a"); err != nil {
		t.Fatal(err)
	}
	c, err := s.ParseCond("if x || { hdr(h) -m sub b } METH_GET")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for i := 0; i < 200; i++ {
				ok = ok && c.Eval(get("/A/b")) && !c.Eval(get("/b", "H: x"))
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Error("concurrent Eval gave a wrong answer")
		}
	}
}
