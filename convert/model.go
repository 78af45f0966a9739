package convert

// The converter builds the output as ordered tables of already-rendered
// TOML values, so key order, inline tables and the operator's own spelling
// of durations ("5000ms") survive into the file.

// value is one TOML value: a scalar, an array of scalars, an inline table,
// or an array of inline tables written one per line (servers, users,
// tracks).
type value struct {
	scalar string
	array  bool
	list   []string
	tab    *table
	tabs   []*table
}

// table is an ordered set of keys. order, when set, puts those keys first
// in that order; the rest follow in insertion order.
type table struct {
	keys  []string
	vals  map[string]*value
	order []string
}

func newTable(order ...string) *table {
	return &table{vals: map[string]*value{}, order: order}
}

func (t *table) set(k string, v *value) {
	if _, ok := t.vals[k]; !ok {
		t.keys = append(t.keys, k)
	}
	t.vals[k] = v
}

func (t *table) get(k string) *value {
	if t == nil {
		return nil
	}
	return t.vals[k]
}

func (t *table) has(k string) bool { return t.get(k) != nil }

func (t *table) del(k string) {
	if _, ok := t.vals[k]; !ok {
		return
	}
	delete(t.vals, k)
	for i, x := range t.keys {
		if x == k {
			t.keys = append(t.keys[:i:i], t.keys[i+1:]...)
			break
		}
	}
}

func (t *table) str(k, s string)       { t.set(k, &value{scalar: tomlString(s)}) }
func (t *table) num(k string, n int)   { t.set(k, &value{scalar: tomlInt(n)}) }
func (t *table) flag(k string, b bool) { t.set(k, &value{scalar: tomlBool(b)}) }

// push appends a string to the array at k, creating it.
func (t *table) push(k, s string) {
	v := t.get(k)
	if v == nil || !v.array {
		v = &value{array: true}
		t.set(k, v)
	}
	v.list = append(v.list, tomlString(s))
}

// sub returns the inline table at k, creating it with order.
func (t *table) sub(k string, order ...string) *table {
	if v := t.get(k); v != nil && v.tab != nil {
		return v.tab
	}
	s := newTable(order...)
	t.set(k, &value{tab: s})
	return s
}

// addRow appends an inline table to the array of tables at k.
func (t *table) addRow(k string, row *table) {
	v := t.get(k)
	if v == nil || v.tab != nil || v.array {
		v = &value{}
		t.set(k, v)
	}
	v.tabs = append(v.tabs, row)
}

// sortedKeys returns the keys in output order.
func (t *table) sortedKeys() []string {
	out := make([]string, 0, len(t.keys))
	seen := map[string]bool{}
	for _, k := range t.order {
		if t.vals[k] != nil {
			out = append(out, k)
			seen[k] = true
		}
	}
	for _, k := range t.keys {
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

// clone copies t deeply.
func (t *table) clone() *table {
	c := newTable(t.order...)
	for _, k := range t.keys {
		c.set(k, t.vals[k].clone())
	}
	return c
}

func (v *value) clone() *value {
	c := &value{scalar: v.scalar, array: v.array, list: append([]string(nil), v.list...)}
	if v.tab != nil {
		c.tab = v.tab.clone()
	}
	for _, r := range v.tabs {
		c.tabs = append(c.tabs, r.clone())
	}
	return c
}

// Section key order, as SPEC §4 writes them.
var sectionOrder = []string{
	"bind", "accept_proxy", "mode", "log", "maxconn", "acl", "use_backend",
	"default_backend", "http_request", "http_response", "tls", "stats",
	"option", "timeout", "balance", "hash_type", "cookie", "httpchk",
	"retries", "default_server", "server",
}

var (
	statsOrder  = []string{"uri", "refresh", "realm", "auth", "admin", "hide_version"}
	cookieOrder = []string{"name", "mode", "indirect", "nocache", "postonly", "httponly", "secure", "domain", "maxidle", "maxlife", "preserve"}
	chkOrder    = []string{"method", "uri", "version", "host", "expect_status"}
	tlsOrder    = []string{"certificates", "alpn", "min_version"}
)
