package acl

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAddErrors(t *testing.T) {
	tests := []struct {
		line, want, word string
	}{
		{"", "empty ACL line", ""},
		{"# only a comment", "empty ACL line", ""},
		{"x", "missing criterion for ACL 'x'", "x"},
		{"a/b path /", "invalid character in ACL name 'a/b': '/'", "a/b"},
		{"oR ssl_fc", "acl name 'oR' will never match. 'or' is used to express a logical disjunction within a condition.", "oR"}, // fuzz crasher (FuzzParseACL), refused as by haproxy 2.6
		{"x path_bgn /ms1/", "ACL 'x': unknown ACL criterion 'path_bgn'", "path_bgn"},
		{"x hdr_foo(host) a", "ACL 'x': unknown ACL criterion 'hdr_foo'", "hdr_foo(host)"},
		{"x path_reg (", "ACL 'x': regex '(' is invalid: error parsing regexp: missing closing ): `(`", "("},
		{"x path_reg -i a(?<n>b)\\1", "ACL 'x': regex 'a(?<n>b)\\1' is invalid: error parsing regexp: invalid escape sequence: `\\1`", "a(?<n>b)\\1"},
		{"x hdr(host", "ACL 'x': missing closing ')' after arguments to fetch keyword 'hdr' in 'hdr(host'", "hdr(host"},
		{"x path,lower /a", "ACL 'x': converters are not supported ('lower' in 'path,lower')", "path,lower"},
		{"x hdr(host),lower a", "ACL 'x': converters are not supported ('lower' in 'hdr(host),lower')", "hdr(host),lower"},
		{"x hdr(host)x a", "ACL 'x': unexpected 'x' after arguments of 'hdr'", "hdr(host)x"},
		{"x path() /", "ACL 'x': fetch method 'path' does not take arguments", "path"},
		{"x hdr(a,1,2) /", "ACL 'x': fetch method 'hdr' takes at most 2 argument(s), got 3", "hdr"},
		{"x hdr_cnt(a,1) 1", "ACL 'x': fetch method 'hdr_cnt' takes at most 1 argument(s), got 2", "hdr_cnt"},
		{"x url_param(a,b,c) 1", "ACL 'x': fetch method 'url_param' takes at most 2 argument(s), got 3", "url_param"},
		{"x url_param(a,) 1", "ACL 'x': empty delimiter for fetch method 'url_param'", "url_param"},
		{"x hdr(a,z) 1", "ACL 'x': invalid occurrence 'z' for fetch method 'hdr': not an integer", "z"},
		{"x http_auth", "ACL 'x': fetch method 'http_auth' expects a userlist name", "http_auth"},
		{"x http_auth(a,b)", "ACL 'x': fetch method 'http_auth' takes at most 1 argument(s), got 2", "http_auth"},
		{"x http_auth(nope)", "ACL 'x': unknown userlist 'nope' in 'http_auth(nope)'", "nope"},
		{"x path -m", "ACL 'x': missing argument after '-m' in ACL expression", "-m"},
		{"x path -f", "ACL 'x': missing argument after '-f' in ACL expression", "-f"},
		{"x path -u", "ACL 'x': missing argument after '-u' in ACL expression", "-u"},
		{"x path -u a1 /", "ACL 'x': the argument of -u must be an integer", "a1"},
		{"x path -m foo x", "ACL 'x': unknown matching method 'foo' when parsing ACL expression", "foo"},
		{"x path -m meth x", "ACL 'x': unknown matching method 'meth' when parsing ACL expression", "meth"},
		{"x path -f paths.lst -m beg", "ACL 'x': '-m' must only be specified before patterns and files in parsing ACL expression", "-m"},
		{"x src -m bin 00", "ACL 'x': matching method 'bin' cannot be used with fetch keyword 'src'", "bin"},
		{"x ssl_fc -m ip 1.2.3.4", "ACL 'x': matching method 'ip' cannot be used with fetch keyword 'ssl_fc'", "ip"},
		{"x method -m int 1", "ACL 'x': matching method 'int' cannot be used with fetch keyword 'method'", "int"},
		{"x hdr_cnt(x) -m ip 1.2.3.4", "ACL 'x': matching method 'ip' cannot be used with fetch keyword 'hdr_cnt'", "ip"},
		{"x path -M f", "ACL 'x': ACL flag '-M' (map files) is not supported", "-M"},
		{"x path -z", "ACL 'x': '-z' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'", "-z"},
		{"x url -i -I", "ACL 'x': '-I' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'", "-I"},
		{"x path -f missing.lst", "ACL 'x': failed to open pattern file 'missing.lst': no such file", "missing.lst"},
		{"x hdr_cnt(x) -f bad.lst", "ACL 'x': file 'bad.lst' line 1: 'gt 10' is not a number", "gt 10"},
		{"x hdr_cnt(host) gt x", "ACL 'x': 'x' is neither a number nor a supported operator", "x"},
		{"x hdr_cnt(host) x", "ACL 'x': 'x' is not a number", "x"},
		{"x hdr_cnt(host) 5:1", "ACL 'x': '5:1' is not a valid number range", "5:1"},
		{"x hdr_cnt(host) :", "ACL 'x': ':' is not a valid number range", ":"},
		{"x hdr_cnt(host) 1:z", "ACL 'x': '1:z' is not a valid number range", "1:z"},
		{"x hdr_cnt(host) z:1", "ACL 'x': 'z:1' is not a valid number range", "z:1"},
		{"x path_len abc", "ACL 'x': 'abc' is not a number", "abc"},
		{"x src 1.2.3.4/33", "ACL 'x': '1.2.3.4/33' is not a valid IPv4 or IPv6 address", "1.2.3.4/33"},
		{"x src 1.2.3.4/x", "ACL 'x': '1.2.3.4/x' is not a valid IPv4 or IPv6 address", "1.2.3.4/x"},
		{"x src 1.2.3.256", "ACL 'x': '1.2.3.256' is not a valid IPv4 or IPv6 address", "1.2.3.256"},
		{"x src 10.256.1", "ACL 'x': '10.256.1' is not a valid IPv4 or IPv6 address", "10.256.1"},
		{"x src 1.99999999", "ACL 'x': '1.99999999' is not a valid IPv4 or IPv6 address", "1.99999999"},
		{"x src www.example.com", "ACL 'x': 'www.example.com' is not a valid IPv4 or IPv6 address", "www.example.com"},
		{"x src localhost", "ACL 'x': 'localhost' is not a valid IPv4 or IPv6 address", "localhost"},
		{"x src ::1/129", "ACL 'x': '::1/129' is not a valid IPv4 or IPv6 address", "::1/129"},
		{"x src ::1/ffff::", "ACL 'x': '::1/ffff::' is not a valid IPv4 or IPv6 address", "::1/ffff::"},
		{"x src fe80::1%eth0", "ACL 'x': 'fe80::1%eth0' is not a valid IPv4 or IPv6 address", "fe80::1%eth0"},
		{"x src 1.2.3.4/+8", "ACL 'x': '1.2.3.4/+8' is not a valid IPv4 or IPv6 address", "1.2.3.4/+8"},
		{"x path -m bin 0g", "ACL 'x': '0g' is not a valid hexadecimal binary string", "0g"},
		{"x path /a ''", "ACL 'x': empty pattern in ACL expression (haproxy would silently ignore it and every pattern after it)", ""},
		{"x path 'a", "unmatched single quote in 'x path 'a'", "'a"},
	}
	for _, tt := range tests {
		s := NewSet()
		s.SetReadFile(func(name string) ([]byte, error) {
			if d, ok := testFiles[name]; ok {
				return []byte(d), nil
			}
			return nil, fmt.Errorf("no such file")
		})
		err := s.Add(tt.line)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Add(%q) = %v, want *Error %q", tt.line, err, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, pe.Msg); diff != "" {
			t.Errorf("Add(%q) message (-want +got):\n%s", tt.line, diff)
		}
		if diff := cmp.Diff(tt.word, pe.Word); diff != "" {
			t.Errorf("Add(%q) word (-want +got):\n%s", tt.line, diff)
		}
	}
}

func TestAddLinesIndex(t *testing.T) {
	s := NewSet()
	err := s.AddLines([]string{"ok path /", "bad path_bgn /", "ok2 path /", "x src nope"})
	var got []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		pe := e.(*Error)
		got = append(got, fmt.Sprintf("%d %s", pe.Index, pe.Msg))
	}
	want := []string{
		"1 ACL 'bad': unknown ACL criterion 'path_bgn'",
		"3 ACL 'x': 'nope' is not a valid IPv4 or IPv6 address",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddLines errors (-want +got):\n%s", diff)
	}
	if err := s.AddLines([]string{"a path /"}); err != nil {
		t.Errorf("AddLines: %v", err)
	}
}

// TestPredefined checks every predefined ACL parses and means what
// haproxy's table says.
func TestPredefined(t *testing.T) {
	tests := []struct {
		name string
		smp  *fakeSample
		want bool
	}{
		{"TRUE", get("/"), true},
		{"FALSE", get("/"), false},
		{"HTTP", get("/"), true},
		{"HTTP_1.0", get("/").http10(), true},
		{"HTTP_1.0", get("/"), false},
		{"HTTP_1.1", get("/"), true},
		{"HTTP_2.0", get("/"), false},
		{"HTTP_3.0", get("/"), false},
		{"HTTP_CONTENT", get("/", "Content-Length: 3"), true},
		{"HTTP_CONTENT", get("/", "Content-Length: 0"), false},
		{"HTTP_CONTENT", get("/"), false},
		{"HTTP_URL_ABS", get("http://h/x"), true},
		{"HTTP_URL_ABS", get("/x"), false},
		{"HTTP_URL_SLASH", get("/x"), true},
		{"HTTP_URL_SLASH", get("*"), false},
		{"HTTP_URL_STAR", req("OPTIONS", "*"), true},
		{"HTTP_URL_STAR", get("/"), false},
		{"LOCALHOST", get("/"), true},
		{"LOCALHOST", get("/").from("127.9.9.9"), true},
		{"LOCALHOST", get("/").from("::1"), true},
		{"LOCALHOST", get("/").from("198.18.0.50"), false},
		{"METH_CONNECT", req("CONNECT", "h:443"), true},
		{"METH_DELETE", req("DELETE", "/"), true},
		{"METH_GET", req("GET", "/"), true},
		{"METH_GET", req("HEAD", "/"), true},
		{"METH_GET", req("POST", "/"), false},
		{"METH_HEAD", req("HEAD", "/"), true},
		{"METH_HEAD", req("GET", "/"), false},
		{"METH_OPTIONS", req("OPTIONS", "*"), true},
		{"METH_POST", req("POST", "/"), true},
		{"METH_POST", req("post", "/"), false},
		{"METH_PUT", req("PUT", "/"), true},
		{"METH_TRACE", req("TRACE", "/"), true},
	}
	for _, tt := range tests {
		s := NewSet()
		c, err := s.ParseCond("if " + tt.name)
		if err != nil {
			t.Errorf("ParseCond(if %s): %v", tt.name, err)
			continue
		}
		if got := c.Eval(tt.smp); got != tt.want {
			t.Errorf("%s on %s %s: got %v, want %v", tt.name, tt.smp.method, tt.smp.uri, got, tt.want)
		}
	}
	for _, name := range []string{"REQ_CONTENT", "WAIT_END", "RDP_COOKIE"} {
		if _, err := NewSet().ParseCond("if " + name); err == nil {
			t.Errorf("ParseCond(if %s): no error", name)
		}
	}
}

// TestPredefinedOverride: a user ACL of a predefined name hides it, and a
// used predefined ACL can be extended by later lines, as in haproxy.
func TestPredefinedOverride(t *testing.T) {
	s := NewSet()
	if err := s.Add("TRUE path /never"); err != nil {
		t.Fatal(err)
	}
	c, err := s.ParseCond("if TRUE")
	if err != nil {
		t.Fatal(err)
	}
	if c.Eval(get("/")) {
		t.Error("overridden TRUE matched")
	}
}
