package proxy

import (
	"fmt"
	"net/netip"
	"strings"
)

// Option is one `option` entry after parsing: its name and its arguments
// ("forwardfor except 127.0.0.0/8" → Name "forwardfor", Args [except
// 127.0.0.0/8]).
type Option struct {
	Name string
	Args []string
}

// optionSpec says where an option is allowed and checks its arguments.
type optionSpec struct {
	frontend, backend bool
	args              func(args []string) error // nil: no arguments allowed
	// group: options of the same group exclude each other (the last one
	// written wins, as in HAProxy).
	group string
}

// knownOptions are the `option` names this product accepts. Options that
// only affect logging or checks are accepted here and read by the packages
// that implement them.
var knownOptions = map[string]optionSpec{
	"http-keep-alive":     {frontend: true, backend: true, group: "httpconn"},
	"http-server-close":   {frontend: true, backend: true, group: "httpconn"},
	"httpclose":           {frontend: true, backend: true, group: "httpconn"},
	"forwardfor":          {frontend: true, backend: true, args: forwardForArgs},
	"httplog":             {frontend: true, args: httplogArgs, group: "log"},
	"tcplog":              {frontend: true, backend: true, group: "log"},
	"dontlognull":         {frontend: true},
	"log-separate-errors": {frontend: true},
	"redispatch":          {backend: true},
	"allbackups":          {backend: true},
	"persist":             {backend: true},
	"log-health-checks":   {backend: true},
	"abortonclose":        {backend: true},
	"tcpka":               {frontend: true, backend: true},
	"clitcpka":            {frontend: true},
	"srvtcpka":            {backend: true},
	"nolinger":            {frontend: true, backend: true},
	"splice-auto":         {frontend: true, backend: true},
	"splice-request":      {frontend: true, backend: true},
	"splice-response":     {frontend: true, backend: true},
}

func httplogArgs(args []string) error {
	if len(args) == 1 && args[0] == "clf" {
		return nil
	}
	return fmt.Errorf("'option httplog' only accepts 'clf' (got '%s')", strings.Join(args, " "))
}

// ForwardFor is `option forwardfor [except NET] [header NAME] [if-none]`.
type ForwardFor struct {
	Except netip.Prefix // source addresses that get no header (zero: none)
	Header string       // header name, default x-forwarded-for
	IfNone bool         // add only when the request has no such header
}

func forwardForArgs(args []string) error {
	_, err := parseForwardFor(args)
	return err
}

func parseForwardFor(args []string) (ForwardFor, error) {
	ff := ForwardFor{Header: "x-forwarded-for"}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "except":
			if i+1 >= len(args) {
				return ff, fmt.Errorf("'option forwardfor except' expects an address or network")
			}
			p, err := parsePrefix(args[i+1])
			if err != nil {
				return ff, fmt.Errorf("'option forwardfor except': %v", err)
			}
			ff.Except = p
			i++
		case "header":
			if i+1 >= len(args) || !isToken(args[i+1]) {
				return ff, fmt.Errorf("'option forwardfor header' expects a header name")
			}
			ff.Header = strings.ToLower(args[i+1])
			i++
		case "if-none":
			ff.IfNone = true
		default:
			return ff, fmt.Errorf("'option forwardfor' only supports optional values: 'header', 'if-none' and 'except' (got '%s')", args[i])
		}
	}
	return ff, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("invalid network '%s'", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid address '%s'", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// parseOption splits one `option` entry. neg reports a "no NAME" entry.
func parseOption(s string) (o Option, neg bool, err error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return o, false, fmt.Errorf("empty option")
	}
	if f[0] == "no" {
		neg = true
		f = f[1:]
		if len(f) != 1 {
			return o, true, fmt.Errorf("'no' expects exactly one option name")
		}
	}
	spec, ok := knownOptions[f[0]]
	if !ok {
		return o, neg, fmt.Errorf("unknown option '%s'", f[0])
	}
	o = Option{Name: f[0]}
	if len(f) > 1 {
		o.Args = f[1:]
	}
	if len(o.Args) > 0 {
		if spec.args == nil {
			return o, neg, fmt.Errorf("'option %s' takes no arguments", o.Name)
		}
		if err := spec.args(o.Args); err != nil {
			return o, neg, err
		}
	}
	return o, neg, nil
}

// OptionSet is the effective options of a section after [defaults] and
// "no option" handling, in the order they were set.
type OptionSet []Option

// Has reports whether option name is set.
func (s OptionSet) Has(name string) bool {
	_, ok := s.Get(name)
	return ok
}

// Get returns the option called name.
func (s OptionSet) Get(name string) (Option, bool) {
	for _, o := range s {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}

// mergeOptions applies the entries of each list in turn: a later list
// overrides an earlier one, "no NAME" removes NAME, and options of one group
// (the three HTTP connection modes) replace each other. Invalid entries are
// skipped (Validate reports them).
func mergeOptions(lists ...[]string) OptionSet {
	var out OptionSet
	remove := func(pred func(Option) bool) {
		kept := out[:0]
		for _, o := range out {
			if !pred(o) {
				kept = append(kept, o)
			}
		}
		out = kept
	}
	for _, list := range lists {
		for _, s := range list {
			o, neg, err := parseOption(s)
			if err != nil {
				continue
			}
			remove(func(x Option) bool { return x.Name == o.Name })
			if neg {
				continue
			}
			if g := knownOptions[o.Name].group; g != "" {
				remove(func(x Option) bool { return knownOptions[x.Name].group == g })
			}
			out = append(out, o)
		}
	}
	return out
}

// ConnMode is the HTTP connection handling of a frontend/backend pair.
type ConnMode uint8

const (
	KeepAlive   ConnMode = iota // option http-keep-alive (the default)
	ServerClose                 // option http-server-close
	Close                       // option httpclose
)

func (m ConnMode) String() string {
	return [...]string{"http-keep-alive", "http-server-close", "httpclose"}[m]
}

// connMode combines the frontend's and the backend's options as HAProxy
// does: httpclose on either side wins, then http-server-close, else
// keep-alive.
func connMode(fe, be OptionSet) ConnMode {
	switch {
	case fe.Has("httpclose") || be.Has("httpclose"):
		return Close
	case fe.Has("http-server-close") || be.Has("http-server-close"):
		return ServerClose
	}
	return KeepAlive
}
