package convert

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"haappliance/proxy/acl"
)

// FuzzQuoteWords: re-quoted words read back as the same words.
func FuzzQuoteWords(f *testing.F) {
	for _, s := range []string{"acl a path_beg -i /x", `hdr(x) "a b" 'c' d\ e`, `\.json$ \x41`, `"it's" \#`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ws, err := acl.Words(line)
		if err != nil {
			return
		}
		back, err := acl.Words(joinWords(ws))
		if err != nil {
			t.Fatalf("re-quoted %q does not parse: %v", joinWords(ws), err)
		}
		if !slices.Equal(ws, back) && !(len(ws) == 0 && len(back) == 0) {
			t.Fatalf("words %q re-quoted as %q read back as %q", ws, joinWords(ws), back)
		}
	})
}

// checkOutput: whatever the input, the output is TOML that decodes, and
// the report's lines are inside the input.
func checkOutput(t *testing.T, out []byte, report []ReportLine, lines map[string]int) {
	var m map[string]any
	if _, err := toml.Decode(string(out), &m); err != nil {
		t.Fatalf("output is not TOML: %v\n%s", err, out)
	}
	for _, l := range report {
		if l.Line < 1 || l.Line > lines[l.File] {
			t.Fatalf("report line %v outside its input", l)
		}
	}
}

func fuzzSeeds(f *testing.F, paths ...string) {
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzHaproxy converts arbitrary haproxy.cfg text.
func FuzzHaproxy(f *testing.F) {
	fuzzSeeds(f, "/work/shared/seed/haproxy.cfg", "testdata/full.cfg")
	f.Add([]byte("frontend f\n bind :80-81,[::]:1\n acl a path \"x y\"\nbackend b\n server s ::1:80 check inter\n"))
	f.Add([]byte("defaults\n option httpchk GET / HTTP/1.1\\r\\nHost:\\ x\ndefaults d2\n timeout client 1\nlisten l from d2\n bind :1\n"))
	f.Add([]byte("userlist u\n group g users a,,b\n user a password\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		out, report, err := Convert("h", src, "", nil)
		if err != nil {
			return
		}
		checkOutput(t, out, report, map[string]int{"h": strings.Count(string(src), "\n") + 1})
	})
}

// FuzzKeepalived converts arbitrary keepalived.conf text.
func FuzzKeepalived(f *testing.F) {
	fuzzSeeds(f, "/work/shared/seed/keepalived.conf", "testdata/full.keepalived.conf")
	f.Add([]byte("vrrp_instance V {\n virtual_ipaddress { 1.2.3.4 dev x label\n }\n track_script { a weight }\n}\n{\n}\n"))
	f.Add([]byte("vrrp_script a { script \"pidof haproxy\" }\nvrrp_instance V\n{\n track_script {\n a weight 9999\n }\n authentication {\n auth_pass\n }\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		out, report, err := Convert("h", []byte(kaHaproxy), "k", src)
		if err != nil {
			return
		}
		checkOutput(t, out, report, map[string]int{"h": 4, "k": strings.Count(string(src), "\n") + 1})
	})
}
