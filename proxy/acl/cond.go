package acl

import (
	"errors"
	"strings"
)

// Cond is a parsed "if COND" or "unless COND": a disjunction of suites,
// each a conjunction of possibly negated ACLs (configuration.txt §7.2).
// A nil *Cond is "no condition" and evaluates true.
type Cond struct {
	unless bool
	suites [][]term
	text   string
}

type term struct {
	acl *acl
	neg bool
}

// Eval reports whether the condition holds for smp: for "if", the
// condition is true; for "unless", it is false. It does not allocate.
func (c *Cond) Eval(smp Sample) bool {
	if c == nil {
		return true
	}
	return c.match(smp) != c.unless
}

func (c *Cond) match(smp Sample) bool {
	for _, suite := range c.suites {
		ok := true
		for _, t := range suite {
			if t.acl.eval(smp) == t.neg {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// String returns the condition as written, words joined by spaces
// ("if url_ms1"), or "" for a nil Cond.
func (c *Cond) String() string {
	if c == nil {
		return ""
	}
	return c.text
}

// ParseCond parses a condition string starting with "if" or "unless".
func (s *Set) ParseCond(line string) (*Cond, error) {
	words, err := Words(line)
	if err != nil {
		return nil, err
	}
	return s.ParseCondWords(words)
}

// ParseCondWords parses a condition already cut into words, the first
// being "if" or "unless". Terms are ACL names, optionally prefixed by '!'
// (several toggle, a lone "!" negates the next term), or anonymous ACLs
// "{ CRITERION [FLAGS] VALUE... }"; adjacent terms are ANDed, "or" (any
// case) and "||" separate ORed suites.
func (s *Set) ParseCondWords(words []string) (*Cond, error) {
	if len(words) == 0 || (words[0] != "if" && words[0] != "unless") {
		w := ""
		if len(words) > 0 {
			w = words[0]
		}
		return nil, errorf(w, "conditions must start with either 'if' or 'unless'")
	}
	c := &Cond{unless: words[0] == "unless", text: strings.Join(words, " ")}
	var (
		suite   []term
		neg     bool
		pendOr  string
		nsuites int
	)
	for i := 1; i < len(words); i++ {
		w := words[i]
		if w == "" {
			return nil, errorf(w, "empty word in condition")
		}
		for strings.HasPrefix(w, "!") {
			neg = !neg
			w = w[1:]
		}
		if w == "" {
			continue
		}
		if strings.EqualFold(w, "or") || w == "||" {
			if len(suite) == 0 {
				return nil, errorf(w, "'%s' without a condition before it", w)
			}
			c.suites = append(c.suites, suite)
			suite, neg, pendOr = nil, false, w
			nsuites++
			continue
		}
		var a *acl
		if w == "{" {
			end := i + 1
			for end < len(words) && words[end] != "}" {
				end++
			}
			if end == len(words) {
				return nil, errorf("{", "missing closing '}' in condition")
			}
			if end == i+1 {
				return nil, errorf("{", "empty anonymous ACL '{ }' in condition")
			}
			e, err := s.parseExpr(words[i+1 : end])
			if err != nil {
				return nil, err
			}
			a = &acl{exprs: []*expr{e}}
			i = end
		} else if w == "}" {
			return nil, errorf(w, "unexpected '}' in condition")
		} else {
			var err error
			if a, err = s.lookup(w); err != nil {
				return nil, err
			}
		}
		suite = append(suite, term{acl: a, neg: neg})
		neg, pendOr = false, ""
	}
	if pendOr != "" {
		return nil, errorf(pendOr, "condition ends with '%s'", pendOr)
	}
	if neg {
		return nil, errorf("!", "'!' without an ACL after it")
	}
	if len(suite) == 0 && nsuites == 0 {
		return nil, errorf(words[0], "missing condition after '%s'", words[0])
	}
	c.suites = append(c.suites, suite)
	return c, nil
}

// SplitRule cuts the words of a rule "ACTION ARGS... [if|unless COND...]"
// at the first "if" or "unless" word: head is what comes before, cond
// starts with that keyword (nil when the rule has no condition).
func SplitRule(words []string) (head, cond []string) {
	for i, w := range words {
		if w == "if" || w == "unless" {
			return words[:i], words[i:]
		}
	}
	return words, nil
}

// UseBackend is one use_backend rule.
type UseBackend struct {
	Backend string
	Cond    *Cond // nil: unconditional
}

// ParseUseBackend parses "BACKEND [if|unless COND]". A dynamic backend
// name (haproxy's "%[...]" log-format) is rejected as unsupported.
func ParseUseBackend(s *Set, line string) (UseBackend, error) {
	words, err := Words(line)
	if err != nil {
		return UseBackend{}, err
	}
	head, cond := SplitRule(words)
	switch {
	case len(head) == 0:
		return UseBackend{}, errorf("", "use_backend: missing backend name")
	case len(head) > 1:
		return UseBackend{}, errorf(head[1], "use_backend: unexpected '%s' after backend name '%s' (expected 'if' or 'unless')", head[1], head[0])
	case strings.Contains(head[0], "%["):
		return UseBackend{}, errorf(head[0], "use_backend: dynamic backend name '%s' is not supported", head[0])
	}
	ub := UseBackend{Backend: head[0]}
	if cond != nil {
		if ub.Cond, err = s.ParseCondWords(cond); err != nil {
			return UseBackend{}, err
		}
	}
	return ub, nil
}

// ParseUseBackends parses every line; the error joins one *Error per
// failing line, with Index set to the line's position.
func ParseUseBackends(s *Set, lines []string) ([]UseBackend, error) {
	var (
		out  []UseBackend
		errs []error
	)
	for i, l := range lines {
		ub, err := ParseUseBackend(s, l)
		if err != nil {
			errs = append(errs, withIndex(err, i))
			continue
		}
		out = append(out, ub)
	}
	return out, errors.Join(errs...)
}
