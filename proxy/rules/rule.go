package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"haappliance/proxy/acl"
)

// Action is what a rule does.
type Action uint8

// Actions. The terminal ones (Allow and after) stop the rule list.
const (
	SetHeader Action = iota + 1
	AddHeader
	DelHeader
	ReplaceHeader
	SetPath
	ReplacePath
	Allow
	Deny
	Auth
	Return
	Redirect
)

var actionNames = map[string]Action{
	"set-header": SetHeader, "add-header": AddHeader, "del-header": DelHeader,
	"replace-header": ReplaceHeader, "set-path": SetPath, "replace-path": ReplacePath,
	"allow": Allow, "deny": Deny, "auth": Auth, "return": Return, "redirect": Redirect,
}

// Terminal reports whether the action ends the rule list.
func (a Action) Terminal() bool { return a >= Allow }

// Redirect kinds.
const (
	redirLocation = iota
	redirPrefix
	redirScheme
)

// Rule is one parsed http-request or http-response rule.
type Rule struct {
	Action Action
	Cond   *acl.Cond // nil: unconditional
	Line   string    // as written

	name  []byte         // header name, lower case
	value *Format        // set/add-header value, set-path path, replacement, location, return body
	re    *regexp.Regexp // replace-header, replace-path

	status      int    // deny, return, redirect
	contentType string // return
	hdrs        []retHeader
	kind        uint8 // redirect kind
	dropQuery   bool
	appendSlash bool
	realm       string
	pageHead    []byte // pre-rendered deny/auth head, without the final CRLF
	pageBody    []byte
}

type retHeader struct {
	name  string
	value *Format
}

// Context is where rules are parsed.
type Context struct {
	// Response selects http-response rules.
	Response bool
	// Section is the frontend/backend name: the default auth realm, as
	// HAProxy uses the proxy's name.
	Section string
	// ErrorBody returns HAProxy's HTML body for an error status (the
	// engine's error pages); deny and auth answer with it.
	ErrorBody func(status int) string
}

// denyStatuses are the codes HAProxy has an error page for.
var denyStatuses = map[int]bool{400: true, 401: true, 403: true, 404: true, 405: true, 408: true,
	410: true, 413: true, 421: true, 425: true, 429: true, 500: true, 501: true, 502: true, 503: true, 504: true}

// Parse parses every line; the error joins one *acl.Error per failing line
// with Index set to the line's position.
func Parse(set *acl.Set, lines []string, ctx Context) ([]*Rule, error) {
	var (
		out  []*Rule
		errs []error
	)
	for i, l := range lines {
		r, err := ParseRule(set, l, ctx)
		if err != nil {
			var ae *acl.Error
			if errors.As(err, &ae) {
				errs = append(errs, &acl.Error{Index: i, Word: ae.Word, Msg: ae.Msg})
			} else {
				errs = append(errs, &acl.Error{Index: i, Msg: err.Error()})
			}
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

// ParseRule parses one rule "ACTION ARGS... [if|unless COND]".
func ParseRule(set *acl.Set, line string, ctx Context) (*Rule, error) {
	words, err := acl.Words(line)
	if err != nil {
		return nil, err
	}
	head, cond := acl.SplitRule(words)
	if len(head) == 0 {
		return nil, errors.New("missing action")
	}
	dir := "http_request"
	if ctx.Response {
		dir = "http_response"
	}
	act, ok := actionNames[head[0]]
	if !ok || ctx.Response && !(act <= ReplaceHeader || act == Allow) {
		return nil, fmt.Errorf("%s: unsupported action '%s' (supported: %s)", dir, head[0], supported(ctx.Response))
	}
	r := &Rule{Action: act, Line: line}
	if err := r.parseArgs(head[0], head[1:], ctx); err != nil {
		return nil, fmt.Errorf("%s %s: %w", dir, head[0], err)
	}
	if cond != nil {
		if r.Cond, err = set.ParseCondWords(cond); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func supported(response bool) string {
	if response {
		return "set-header, add-header, del-header, replace-header, allow"
	}
	return "set-header, add-header, del-header, replace-header, set-path, replace-path, redirect, deny, return, auth, allow"
}

func (r *Rule) parseArgs(act string, args []string, ctx Context) error {
	nargs := func(n int, usage string) error {
		if len(args) != n {
			return fmt.Errorf("expects %s", usage)
		}
		return nil
	}
	var err error
	switch r.Action {
	case SetHeader, AddHeader:
		if err = nargs(2, "<name> <fmt>"); err != nil {
			return err
		}
		if err = r.setName(args[0]); err != nil {
			return err
		}
		r.value, err = parseFormat(args[1], ctx.Response)
	case DelHeader:
		if err = nargs(1, "<name>"); err != nil {
			return err
		}
		err = r.setName(args[0])
	case ReplaceHeader:
		if err = nargs(3, "<name> <match-regex> <replace-fmt>"); err != nil {
			return err
		}
		if err = r.setName(args[0]); err != nil {
			return err
		}
		if r.re, err = compile(args[1]); err != nil {
			return err
		}
		r.value, err = parseFormat(args[2], ctx.Response)
	case SetPath:
		if err = nargs(1, "<fmt>"); err != nil {
			return err
		}
		r.value, err = parseFormat(args[0], false)
	case ReplacePath:
		if err = nargs(2, "<match-regex> <replace-fmt>"); err != nil {
			return err
		}
		if r.re, err = compile(args[0]); err != nil {
			return err
		}
		r.value, err = parseFormat(args[1], false)
	case Allow:
		err = nargs(0, "no argument")
	case Deny:
		err = r.parseDeny(args, ctx)
	case Auth:
		err = r.parseAuth(args, ctx)
	case Return:
		err = r.parseReturn(args)
	case Redirect:
		err = r.parseRedirect(args)
	}
	return err
}

func (r *Rule) setName(n string) error {
	if n == "" || strings.IndexFunc(n, func(c rune) bool { return c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) }) >= 0 {
		return fmt.Errorf("invalid header name '%s'", n)
	}
	r.name = []byte(strings.ToLower(n))
	return nil
}

func compile(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid regex '%s': %v", expr, err)
	}
	return re, nil
}

func parseStatus(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("invalid status code '%s' (expected %d..%d)", s, lo, hi)
	}
	return n, nil
}

func (r *Rule) parseDeny(args []string, ctx Context) error {
	r.status = 403
	switch {
	case len(args) == 0:
	case len(args) == 2 && (args[0] == "deny_status" || args[0] == "status"):
		n, err := parseStatus(args[1], 200, 599)
		if err != nil {
			return err
		}
		if !denyStatuses[n] {
			return fmt.Errorf("status code %d has no error page (use 'return status %d' instead)", n, n)
		}
		r.status = n
	default:
		return errors.New("expects [deny_status <code>]")
	}
	r.pageHead, r.pageBody = errorPage(r.status, "", ctx)
	return nil
}

func (r *Rule) parseAuth(args []string, ctx Context) error {
	r.realm = ctx.Section
	switch {
	case len(args) == 0:
	case len(args) == 2 && args[0] == "realm":
		r.realm = args[1]
	default:
		return errors.New("expects [realm <realm>]")
	}
	if strings.ContainsAny(r.realm, "\"\r\n\x00") {
		return fmt.Errorf("realm '%s' must not contain quotes or line breaks", r.realm)
	}
	r.status = 401
	r.pageHead, r.pageBody = errorPage(401, "www-authenticate: Basic realm=\""+r.realm+"\"\r\n", ctx)
	return nil
}

func (r *Rule) parseReturn(args []string) error {
	r.status = 200
	for i := 0; i < len(args); i++ {
		key := args[i]
		if i+1 >= len(args) {
			return fmt.Errorf("'%s' expects an argument", key)
		}
		val := args[i+1]
		i++
		var err error
		switch key {
		case "status":
			r.status, err = parseStatus(val, 200, 599)
		case "content-type":
			r.contentType = val
		case "string":
			r.value = &Format{raw: val, parts: []part{{kind: fLiteral, text: []byte(val)}}}
		case "lf-string":
			r.value, err = parseFormat(val, false)
		case "hdr":
			if i+1 >= len(args) {
				return errors.New("'hdr' expects <name> <fmt>")
			}
			var f *Format
			if f, err = parseFormat(args[i+1], false); err == nil {
				r.hdrs = append(r.hdrs, retHeader{name: strings.ToLower(val), value: f})
			}
			i++
		case "errorfile", "errorfiles", "file", "lf-file", "default-errorfiles":
			return fmt.Errorf("'%s' is not supported (use 'string' or 'lf-string')", key)
		default:
			return fmt.Errorf("unknown argument '%s' (expected status, content-type, string, lf-string or hdr)", key)
		}
		if err != nil {
			return err
		}
	}
	if r.value != nil && r.contentType == "" {
		return errors.New("a body ('string' or 'lf-string') needs a 'content-type'")
	}
	return nil
}

func (r *Rule) parseRedirect(args []string) error {
	if len(args) < 2 {
		return errors.New("expects location|prefix|scheme <value> [code <code>] [drop-query] [append-slash]")
	}
	switch args[0] {
	case "location":
		r.kind = redirLocation
	case "prefix":
		r.kind = redirPrefix
	case "scheme":
		r.kind = redirScheme
	default:
		return fmt.Errorf("unknown redirect type '%s' (expected location, prefix or scheme)", args[0])
	}
	var err error
	if r.value, err = parseFormat(args[1], false); err != nil {
		return err
	}
	r.status = 302
	for i := 2; i < len(args); i++ {
		switch args[i] {
		case "code":
			if i+1 >= len(args) {
				return errors.New("'code' expects a status code")
			}
			i++
			switch args[i] {
			case "301", "302", "303", "307", "308":
				r.status, _ = strconv.Atoi(args[i])
			default:
				return fmt.Errorf("invalid redirect code '%s' (expected 301, 302, 303, 307 or 308)", args[i])
			}
		case "drop-query":
			r.dropQuery = true
		case "append-slash":
			r.appendSlash = true
		case "set-cookie", "clear-cookie", "ignore-empty":
			return fmt.Errorf("redirect option '%s' is not supported", args[i])
		default:
			return fmt.Errorf("unknown redirect option '%s'", args[i])
		}
	}
	return nil
}

// errorPage renders HAProxy's page for status: the head without its final
// CRLF (the engine may add "connection: close") and the body.
func errorPage(status int, extra string, ctx Context) (head, body []byte) {
	b := ""
	if ctx.ErrorBody != nil {
		b = ctx.ErrorBody(status)
	}
	return []byte("HTTP/1.1 " + strconv.Itoa(status) + " " + statusText(status) + "\r\n" +
		"content-length: " + strconv.Itoa(len(b)) + "\r\n" +
		"cache-control: no-cache\r\n" +
		"content-type: text/html\r\n" + extra), []byte(b)
}
