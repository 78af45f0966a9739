package convert

import (
	"strings"
)

// output is the converted file before it is written.
type output struct {
	sources   []string // input names, for the header comment
	global    *table
	logs      []*table
	sysctl    *table
	defaults  *table // nil: no defaults section
	sections  []*section
	userlists []*userlist
	instances []*table
}

// section is one frontend, backend or listen section.
type section struct {
	kind, name string
	line       int
	t          *table
	defs       *section // the defaults section in effect
	chkMods    *table   // http-check settings, applied at the end
	chkLine    int
	opts       []string // option entries as written ("forwardfor", "no httplog")
	redirects  []string // `redirect` rules, appended to http_request at the end
}

type userlist struct {
	name  string
	line  int
	users []*table
}

// render writes the TOML file.
func (o *output) render() []byte {
	var b strings.Builder
	b.WriteString("# haappliance configuration converted by `haappliance convert` from ")
	b.WriteString(strings.Join(o.sources, " and "))
	b.WriteString(".\n# The report printed with it lists what was approximated or left out.\n")
	if len(o.global.keys) > 0 {
		b.WriteString("\n[global]\n")
		writeKeys(&b, o.global)
	}
	for _, l := range o.logs {
		b.WriteString("\n[[global.log]]\n")
		writeKeys(&b, l)
	}
	if o.sysctl != nil {
		b.WriteString("\n[sysctl]\n")
		writeKeys(&b, o.sysctl)
	}
	if o.defaults != nil {
		b.WriteString("\n[defaults]\n")
		writeKeys(&b, o.defaults)
	}
	for _, kind := range []string{"frontend", "backend", "listen"} {
		for _, s := range o.sections {
			if s.kind == kind {
				b.WriteString("\n[" + kind + "." + tomlKey(s.name) + "]\n")
				writeKeys(&b, s.t)
			}
		}
	}
	for _, u := range o.userlists {
		b.WriteString("\n[userlist." + tomlKey(u.name) + "]\n")
		t := newTable()
		for _, row := range u.users {
			t.addRow("user", row)
		}
		writeKeys(&b, t)
	}
	for _, in := range o.instances {
		b.WriteString("\n[[vrrp.instance]]\n")
		writeKeys(&b, in)
	}
	return []byte(b.String())
}

// writeKeys writes "key = value" lines; arrays of tables go one row a line.
func writeKeys(b *strings.Builder, t *table) {
	for _, k := range t.sortedKeys() {
		v := t.vals[k]
		b.WriteString(tomlKey(k))
		b.WriteString(" = ")
		if v.tabs != nil {
			b.WriteString("[\n")
			for _, row := range v.tabs {
				b.WriteString("  ")
				b.WriteString(renderInline(row))
				b.WriteString(",\n")
			}
			b.WriteString("]\n")
			continue
		}
		b.WriteString(renderValue(v))
		b.WriteByte('\n')
	}
}

func renderValue(v *value) string {
	switch {
	case v.tab != nil:
		return renderInline(v.tab)
	case v.tabs != nil:
		parts := make([]string, len(v.tabs))
		for i, r := range v.tabs {
			parts[i] = renderInline(r)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case v.array:
		return "[" + strings.Join(v.list, ", ") + "]"
	}
	return v.scalar
}

func renderInline(t *table) string {
	keys := t.sortedKeys()
	if len(keys) == 0 {
		return "{}"
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = tomlKey(k) + " = " + renderValue(t.vals[k])
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}
