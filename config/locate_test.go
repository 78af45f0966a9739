package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `# comment [not.a.table]
[global]
maxconn = 30000
user = "ha" # trailing [x]

[[global.log]]
address = "/dev/log"
facility = "local0"

[[global.log]]
address = "udp://127.0.0.1:514"

[frontend.http-in]
bind = ["*:9001"]
acl = [
  "url_ms1 path_beg -i /ms1/",
  "url_ms2 path_beg -i /ms2/",
]
timeout = { connect = "5000ms", client = "10s" }

[backend."ms1"]
server = [
  { name = "a", address = "198.18.1.21:8080", check = true },
  { name = "b",
    bogus = 1 },
]
desc = """multi
line = not a key
"""
after = 1
`

func TestLocator(t *testing.T) {
	loc := NewLocator([]byte(sample))
	cases := map[string]int{
		"global":                          2,
		"global.maxconn":                  3,
		"global.user":                     4,
		"global.log[0]":                   6,
		"global.log[0].facility":          8,
		"global.log[1].address":           11,
		"frontend.http-in":                13,
		"frontend.http-in.bind":           14,
		"frontend.http-in.acl[1]":         17,
		"frontend.http-in.timeout.client": 19,
		"backend.ms1.server[0].check":     23,
		"backend.ms1.server[1].bogus":     25,
		"backend.ms1.server[1].nothere":   24,
		"backend.ms1.after":               30,
		"backend.ms1.nothere":             21,
		"nothing":                         0,
	}
	got := map[string]int{}
	for p := range cases {
		got[p] = loc.Line(p)
	}
	if d := cmp.Diff(cases, got); d != "" {
		t.Errorf("lines (-want +got):\n%s", d)
	}
}

func FuzzLocator(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`a = [{b = "x\"y", c = '''z'''}]`))
	f.Add([]byte("00{ "))                                 // crasher found by fuzzing: inline table open at the end
	f.Add([]byte("a[b = \"\xff\x7f\"y\", c = '''z'''}]")) // hang found by fuzzing: a stray '}' in an array
	f.Fuzz(func(t *testing.T, b []byte) {
		loc := NewLocator(b)
		_ = loc.Line("a.b[0].c")
	})
}
