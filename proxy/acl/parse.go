package acl

import (
	"errors"
	"os"
	"strings"
)

// Set holds the named ACLs of one frontend (or listen section) and parses
// conditions against them. Build it completely (AddUserlist, SetReadFile,
// Add) before evaluating conditions: a Set is not safe for concurrent
// modification, while the Conds it returns are safe for concurrent Eval.
type Set struct {
	acls      map[string]*acl
	userlists map[string]Userlist
	readFile  func(name string) ([]byte, error)
}

// acl is a named ACL: the OR of its expressions, one per "acl" line (or
// the single expression of an anonymous ACL).
type acl struct {
	name  string
	exprs []*expr
}

func (a *acl) eval(smp Sample) bool {
	for _, e := range a.exprs {
		if e.eval(smp) {
			return true
		}
	}
	return false
}

// NewSet returns an empty set (the zero Set is ready to use too). Patterns named with -f are read with
// os.ReadFile unless SetReadFile says otherwise.
func NewSet() *Set {
	return &Set{acls: map[string]*acl{}, userlists: map[string]Userlist{}, readFile: os.ReadFile}
}

// SetReadFile sets the function that reads -f pattern files (tests, or a
// configuration loader that resolves paths relative to its file).
func (s *Set) SetReadFile(fn func(name string) ([]byte, error)) { s.readFile = fn }

// AddUserlist makes userlist u available to http_auth(name).
func (s *Set) AddUserlist(name string, u Userlist) {
	if s.userlists == nil {
		s.userlists = map[string]Userlist{}
	}
	s.userlists[name] = u
}

// Add parses one acl line, "NAME CRITERION [FLAGS] [OPERATOR] [VALUE]...".
// A NAME already defined gets this expression ORed to the previous ones, as
// in haproxy; a NAME equal to a predefined ACL (TRUE, METH_GET...) hides it.
func (s *Set) Add(line string) error {
	words, err := Words(line)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return errorf("", "empty ACL line")
	}
	name := words[0]
	if bad := invalidNameChar(name); bad != 0 {
		return errorf(name, "invalid character in ACL name '%s': '%c'", name, bad)
	}
	if strings.EqualFold(name, "or") { // haproxy 2.6 refuses it too, with these words
		return errorf(name, "acl name '%s' will never match. 'or' is used to express a logical disjunction within a condition.", name)
	}
	if len(words) < 2 {
		return errorf(name, "missing criterion for ACL '%s'", name)
	}
	e, err := s.parseExpr(words[1:])
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.Msg = "ACL '" + name + "': " + pe.Msg
		}
		return err
	}
	a := s.acls[name]
	if a == nil {
		if s.acls == nil {
			s.acls = map[string]*acl{}
		}
		a = &acl{name: name}
		s.acls[name] = a
	}
	a.exprs = append(a.exprs, e)
	return nil
}

// AddLines adds every line; the error joins one *Error per failing line,
// with Index set to the line's position.
func (s *Set) AddLines(lines []string) error {
	var errs []error
	for i, l := range lines {
		if err := s.Add(l); err != nil {
			errs = append(errs, withIndex(err, i))
		}
	}
	return errors.Join(errs...)
}

// invalidNameChar returns the first character not allowed in an ACL name
// (letters, digits, '-', '_', '.', ':'), or 0.
func invalidNameChar(name string) byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':') {
			return c
		}
	}
	return 0
}

// parseExpr parses "CRITERION [FLAGS] [OPERATOR] [VALUE]...".
func (s *Set) parseExpr(words []string) (*expr, error) {
	fe, m, err := parseCriterion(words[0])
	if err != nil {
		return nil, err
	}
	e := &expr{fe: fe, m: m}
	if fe.def.id == fHTTPAuth {
		if e.userlist = s.userlists[fe.userlist]; e.userlist == nil {
			return nil, errorf(fe.userlist, "unknown userlist '%s' in '%s'", fe.userlist, words[0])
		}
	}
	args := words[1:]
	var (
		icase  bool
		loaded bool
		op     intOp
	)
	// Flags come before the patterns, as in haproxy's parse_acl_expr.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		flag := args[0]
		args = args[1:]
		switch flag {
		case "--":
			goto patterns
		case "-i":
			icase = true
		case "-n":
			// No DNS resolution: host names are never resolved here anyway.
		case "-m", "-f", "-u":
			if len(args) == 0 {
				return nil, errorf(flag, "missing argument after '%s' in ACL expression", flag)
			}
			arg := args[0]
			args = args[1:]
			switch flag {
			case "-m":
				if loaded {
					return nil, errorf(flag, "'-m' must only be specified before patterns and files in parsing ACL expression")
				}
				mm, ok := matchNames[arg]
				if !ok {
					return nil, errorf(arg, "unknown matching method '%s' when parsing ACL expression", arg)
				}
				if !compatible(mm, fe.def.typ) {
					return nil, errorf(arg, "matching method '%s' cannot be used with fetch keyword '%s'", arg, fe.kw)
				}
				e.m = mm
			case "-f":
				if err := s.loadFile(e, arg, icase); err != nil {
					return nil, err
				}
				loaded = true
			case "-u":
				// Unique id for the runtime API; accepted, not used.
				if strings.TrimLeft(arg, "0123456789") != "" || arg == "" {
					return nil, errorf(arg, "the argument of -u must be an integer")
				}
			}
		case "-M":
			return nil, errorf(flag, "ACL flag '-M' (map files) is not supported")
		default:
			return nil, errorf(flag, "'%s' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'", flag)
		}
	}
patterns:
	for _, w := range args {
		if w == "" {
			return nil, errorf(w, "empty pattern in ACL expression (haproxy would silently ignore it and every pattern after it)")
		}
		if err := e.addPattern(w, icase, &op); err != nil {
			return nil, err
		}
	}
	e.pat.finish(e.m)
	return e, nil
}

// addPattern adds one value; for integer matching an operator word
// (eq, ge, gt, le, lt) sets the operator for the values after it.
func (e *expr) addPattern(w string, icase bool, op *intOp) error {
	if e.m == mInt || e.m == mLen {
		if o, ok := intOps[w]; ok {
			*op = o
			return nil
		}
		if strings.ContainsAny(w, ":-") {
			return e.pat.add(e.m, w, icase, opEq)
		}
	}
	return e.pat.add(e.m, w, icase, *op)
}

// loadFile adds the patterns of a -f file: one per line, leading blanks
// stripped, empty lines and lines starting with '#' ignored.
func (s *Set) loadFile(e *expr, name string, icase bool) error {
	if !takesPatterns(e.m) {
		return nil
	}
	read := s.readFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(name)
	if err != nil {
		return errorf(name, "failed to open pattern file '%s': %v", name, err)
	}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(strings.TrimLeft(line, " \t"), "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		// As in haproxy, file lines are patterns only: no operators.
		if err := e.pat.add(e.m, line, icase, opEq); err != nil {
			var pe *Error
			if errors.As(err, &pe) {
				pe.Msg = "file '" + name + "' line " + itoa(n+1) + ": " + pe.Msg
			}
			return err
		}
	}
	return nil
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// predefined are haproxy 2.6's predefined ACLs (configuration.txt §7.4)
// that make sense here. HTTP_2.0 and HTTP_3.0 never match (the proxy
// speaks HTTP/1.x); RDP_COOKIE, REQ_CONTENT and WAIT_END belong to TCP
// content inspection, which has no sample here, and are not defined.
var predefined = map[string][]string{
	"TRUE":           {"always_true"},
	"FALSE":          {"always_false"},
	"LOCALHOST":      {"src", "127.0.0.1/8", "::1"},
	"HTTP":           {"req.proto_http"},
	"HTTP_1.0":       {"req.ver", "1.0"},
	"HTTP_1.1":       {"req.ver", "1.1"},
	"HTTP_2.0":       {"req.ver", "2.0"},
	"HTTP_3.0":       {"req.ver", "3.0"},
	"METH_CONNECT":   {"method", "CONNECT"},
	"METH_DELETE":    {"method", "DELETE"},
	"METH_GET":       {"method", "GET", "HEAD"},
	"METH_HEAD":      {"method", "HEAD"},
	"METH_OPTIONS":   {"method", "OPTIONS"},
	"METH_POST":      {"method", "POST"},
	"METH_PUT":       {"method", "PUT"},
	"METH_TRACE":     {"method", "TRACE"},
	"HTTP_URL_ABS":   {"url_reg", "^[^/:]*://"},
	"HTTP_URL_SLASH": {"url_beg", "/"},
	"HTTP_URL_STAR":  {"url", "*"},
	"HTTP_CONTENT":   {"req.hdr_val(content-length)", "gt", "0"},
}

// lookup finds a named ACL, instantiating a predefined one on first use.
func (s *Set) lookup(name string) (*acl, error) {
	if a := s.acls[name]; a != nil {
		return a, nil
	}
	words, ok := predefined[name]
	if !ok {
		return nil, errorf(name, "unknown ACL '%s'", name)
	}
	e, err := s.parseExpr(words)
	if err != nil {
		return nil, err // cannot happen: the table is tested
	}
	a := &acl{name: name, exprs: []*expr{e}}
	if s.acls == nil {
		s.acls = map[string]*acl{}
	}
	s.acls[name] = a
	return a, nil
}
